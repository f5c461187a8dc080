import APIServer
import ArgumentParser

/// `kubelite version`: the version /version reports (also `kubelite --version`).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the Kubernetes version this server reports on /version."
    )

    func run() {
        print(Version.line)
    }
}
