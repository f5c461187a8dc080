import APIServer
import ArgumentParser
import Credentials
import Foundation
import HTTPServer
import Logging
import Registry

/// kube-apiserver's secure serving and authentication flags. HTTPS is served unless `--port` asks for
/// plain HTTP (loopback test runs only; see `Serve.validateServing`).
struct SecureServingOptions: ParsableArguments {
    @Option(name: .customLong("secure-port"),
            help: ArgumentHelp("Serve HTTPS on this port (default 6443; 0 picks a free port).", valueName: "port"))
    var securePort: UInt16?

    @Option(name: .customLong("tls-cert-file"),
            help: ArgumentHelp("Serving certificate (PEM, with intermediates after it); default: one signed by the cluster CA, made under <data-dir>/pki.", valueName: "file"))
    var tlsCertFile: String?

    @Option(name: .customLong("tls-private-key-file"), help: ArgumentHelp("Private key of --tls-cert-file (PEM).", valueName: "file"))
    var tlsPrivateKeyFile: String?

    @Option(name: .customLong("client-ca-file"),
            help: ArgumentHelp("Authorities whose client certificates authenticate (CN user, O groups); default: the cluster CA.", valueName: "file"))
    var clientCAFile: String?

    @Option(name: .customLong("token-auth-file"),
            help: ArgumentHelp("Static bearer tokens, CSV: token,user,uid,\"group1,group2\".", valueName: "file"))
    var tokenAuthFile: String?

    @Option(name: .customLong("anonymous-auth"),
            help: "Requests no authenticator identifies are served as system:anonymous (group system:unauthenticated); false answers them 401.")
    var anonymousAuth: Bool = true

    func validate() throws {
        // kube-apiserver's texts.
        if (tlsCertFile == nil) != (tlsPrivateKeyFile == nil) {
            throw ValidationError(tlsCertFile == nil ? "--tls-private-key-file requires --tls-cert-file" : "--tls-cert-file requires --tls-private-key-file")
        }
    }

    /// The authentication chain: client certificates only over TLS; static and service account
    /// tokens, and anonymous auth, on either.
    func authentication(registry: Registry, clientCA: String?, logger: Logger) throws -> AuthenticationChain {
        var certificates: ClientCertificateAuthenticator?
        if let clientCA {
            certificates = ClientCertificateAuthenticator(verifier: try ClientCertificateVerifier(clientCAPEM: clientCA))
        }
        let tokens = try tokenAuthFile.map { try StaticTokenFile.load(path: $0) }
        if let tokens, let tokenAuthFile { logger.info("\(tokens.count) static tokens from --token-auth-file \(tokenAuthFile)") }
        return AuthenticationChain.standard(clientCertificates: certificates, tokenFile: tokens, registry: registry,
                                            anonymousAllowed: anonymousAuth, logger: logger)
    }

    /// The serving certificate and key, and the client CA bundle, for HTTPS.
    func tlsServing(authority: ClusterCertificateAuthority, directory: String?, bindAddress: String,
                    serviceIP: String, clusterDomain: String) throws -> TLSServing {
        let chain: String, key: String
        if let tlsCertFile, let tlsPrivateKeyFile {
            chain = try Self.read(tlsCertFile, flag: "--tls-cert-file")
            key = try Self.read(tlsPrivateKeyFile, flag: "--tls-private-key-file")
        } else {
            let issued = try APIServerCertificates.serving(directory: directory, authority: authority, bindAddress: bindAddress,
                                                           serviceIP: serviceIP, clusterDomain: clusterDomain)
            chain = issued.certificatePEM
            key = issued.keyPEM
        }
        let clientCA = try clientCAFile.map { try Self.read($0, flag: "--client-ca-file") } ?? authority.certificatePEM
        return TLSServing(certificateChainPEM: chain, privateKeyPEM: key, clientCertificateAuthoritiesPEM: clientCA)
    }

    static func read(_ path: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(flag): cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}
