import APIServer
import ArgumentParser
import Credentials
import Foundation
import HTTPServer
import Logging
import Registry

/// What the serving and authentication flags amount to for one run.
struct SecureServing {
    var tls: TLSServing?
    var authentication: AuthenticationChain
    /// What the written kubeconfig carries besides the server's URL.
    var kubeconfigCredentials: KubeconfigFile.Credentials?
}

extension Serve {
    /// Over HTTPS: the serving certificate (given, or the cluster CA's under `<data-dir>/pki`), client
    /// certificates checked against `--client-ca-file` (the cluster CA by default), and the admin's
    /// client certificate for the kubeconfig. Over plain HTTP: the token authenticators only.
    func secureServing(credentials: PendingCredentials, registry: Registry, logger: Logger) throws -> SecureServing {
        guard servesHTTPS else {
            do {
                return SecureServing(authentication: try secure.authentication(registry: registry, clientCA: nil, logger: logger))
            } catch {
                logger.critical("\(error)")
                throw ExitCode.failure
            }
        }
        do {
            let directory = inMemory ? nil : dataDir ?? Self.defaultDataDirectory()
            let authority = try credentials.value.certificateAuthority
            let tls = try secure.tlsServing(authority: authority, directory: directory, bindAddress: bindAddress,
                                            serviceIP: registry.serviceIPs.kubernetesServiceIP, clusterDomain: clusterDomain)
            let admin = try APIServerCertificates.admin(directory: directory, authority: authority)
            if secure.clientCAFile != nil {
                logger.warning("--client-ca-file given: the kubeconfig's admin certificate is signed by the cluster CA and authenticates only if that file includes it")
            }
            return SecureServing(
                tls: tls,
                authentication: try secure.authentication(registry: registry, clientCA: tls.clientCertificateAuthoritiesPEM, logger: logger),
                // A given serving certificate is trusted as the system trusts it; a generated one through the cluster CA.
                kubeconfigCredentials: .init(certificateAuthorityPEM: secure.tlsCertFile == nil ? authority.certificatePEM : nil,
                                             clientCertificate: admin))
        } catch let error as ValidationError {
            throw error
        } catch {
            logger.critical("cannot set up TLS serving: \(error)")
            throw ExitCode.failure
        }
    }
}
