import APIServer
import ArgumentParser

@main
struct Kubelite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubelite",
        abstract: "A small Kubernetes cluster, seen through its API server, in one binary.",
        discussion: """
            kubectl, curl and client libraries talk to Kubelite as to a cluster's kube-apiserver.
            Start it with `kubelite serve --kubeconfig ./kubeconfig`, then `KUBECONFIG=./kubeconfig kubectl get ns`.
            """,
        version: Version.line,
        subcommands: [Serve.self, OpenAPICommand.self, VersionCommand.self],
        defaultSubcommand: Serve.self
    )

    static func main() {
        main(LeaderElectionOptions.goBooleanSpelling(Array(CommandLine.arguments.dropFirst())))
    }
}
