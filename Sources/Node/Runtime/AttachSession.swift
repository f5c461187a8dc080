import Foundation
import Registry

/// `kubectl attach`: the container's output from now on, as its log receives it. The main
/// process's stdin is not kept open, so input is dropped and there is no TTY to resize.
final class AttachSession: ContainerStreamSession, Sendable {
    let reader: ContainerLogReader

    init(reader: ContainerLogReader) { self.reader = reader }

    func start(output: @escaping @Sendable (ContainerStream, [UInt8]) -> Void, exit: @escaping @Sendable (ContainerExit) -> Void) {
        reader.start(chunk: { bytes in output(.stdout, bytes); return true }, end: { exit(.exited(code: 0)) })
    }

    func writeStdin(_ bytes: [UInt8]) {}
    func closeStdin() {}
    func resize(width: UInt16, height: UInt16) {}
    func cancel() { reader.cancel() }
}
