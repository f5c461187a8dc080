import Foundation

/// Writes a kubeconfig for this server, so `KUBECONFIG=<file> kubectl ...` works with no other setup.
enum KubeconfigFile {
    static func write(to path: String, server: String) throws {
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: kubelite
              cluster:
                server: \(server)
            users:
            - name: kubelite
              user: {}
            contexts:
            - name: kubelite
              context:
                cluster: kubelite
                user: kubelite
                namespace: default
            current-context: kubelite
            preferences: {}

            """
        let url = URL(fileURLWithPath: path)
        // Write to a temporary file and rename, so a reader never sees a half-written kubeconfig.
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try text.write(to: temporary, atomically: false, encoding: .utf8)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}
