import Credentials
import Foundation

/// Writes a kubeconfig for this server, so `KUBECONFIG=<file> kubectl ...` works with no other setup.
/// Over HTTPS it carries the CA that signed the serving certificate and the admin's client
/// certificate (kubeadm's admin.conf: kubernetes-admin in system:masters), inline as base64.
enum KubeconfigFile {
    struct Credentials {
        /// The serving certificate's CA; nil to trust what the system trusts.
        var certificateAuthorityPEM: String?
        var clientCertificate: IssuedCertificate
    }

    static func write(to path: String, server: String, credentials: Credentials? = nil) throws {
        var cluster = "    server: \(server)\n"
        var user = "  user: {}\n"
        if let credentials {
            if let ca = credentials.certificateAuthorityPEM { cluster += "    certificate-authority-data: \(base64(ca))\n" }
            user = "  user:\n    client-certificate-data: \(base64(credentials.clientCertificate.certificatePEM))\n"
                + "    client-key-data: \(base64(credentials.clientCertificate.keyPEM))\n"
        }
        let userName = credentials == nil ? "kubelite" : "kubernetes-admin"
        let text = "apiVersion: v1\nkind: Config\nclusters:\n- name: kubelite\n  cluster:\n" + cluster
            + "users:\n- name: \(userName)\n" + user
            + """
            contexts:
            - name: kubelite
              context:
                cluster: kubelite
                user: \(userName)
                namespace: default
            current-context: kubelite
            preferences: {}

            """
        let url = URL(fileURLWithPath: path)
        // Write to a temporary file and rename, so a reader never sees a half-written kubeconfig.
        // Private (0600): it may hold the admin's key.
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try? FileManager.default.removeItem(at: temporary)
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
