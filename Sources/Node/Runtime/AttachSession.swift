import Foundation
import Registry
import Synchronization

/// `kubectl attach`: the container's output from now on, as it is written (partial lines too: a
/// shell's prompt has none), and, for a container started with `stdin`, input into its standard
/// input (or terminal). With `stdinOnce` the container's input ends when this session's does, as
/// the CRI closes it after the first attach. A container that cannot be followed directly (tests'
/// fakes) is followed through its log.
final class AttachSession: ContainerStreamSession, Sendable {
    let reader: ContainerLogReader
    let container: (any RunningContainer)?
    let input: Bool
    let stdinOnce: Bool
    private let token = Mutex<Int?>(nil)

    init(reader: ContainerLogReader, container: (any RunningContainer)?, input: Bool, stdinOnce: Bool) {
        self.reader = reader; self.container = container; self.input = input; self.stdinOnce = stdinOnce
    }

    func start(output: @escaping @Sendable (ContainerStream, [UInt8]) -> Void, exit: @escaping @Sendable (ContainerExit) -> Void) {
        if let container, let followed = container.follow({ stream, bytes in output(stream == "stderr" ? .stderr : .stdout, bytes) },
                                                          end: { exit(.exited(code: 0)) }) {
            token.withLock { $0 = followed }
            return
        }
        reader.start(chunk: { bytes in output(.stdout, bytes); return true }, end: { exit(.exited(code: 0)) })
    }

    func writeStdin(_ bytes: [UInt8]) { if input { container?.writeStdin(bytes) } }
    func closeStdin() { if input, stdinOnce { container?.closeStdin() } }
    func resize(width: UInt16, height: UInt16) { container?.resize(width: width, height: height) }

    func cancel() {
        if let followed = token.withLock({ $0 }) { container?.unfollow(followed) }
        reader.cancel()
    }
}
