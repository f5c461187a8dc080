import Foundation
import Synchronization
import CLinux

/// Held while a child is spawned (see `runWithoutInheritedDescriptors`).
private let spawning = Mutex(())

extension Process {
    /// `run()` without handing the child Kubelite's own descriptors. Foundation closes the
    /// descriptors it lists in /proc/self/fd before spawning, so one another thread opens meanwhile
    /// reaches the child if it is not close-on-exec, and Foundation's `Pipe`s are not: a pod's
    /// sandbox then held another process's output pipe open, whose reader waited forever for its
    /// end (100 pods started at once hung one). So the children's pipes are `ChildPipe`s, close-on-exec
    /// from the start, and every other descriptor from 3 up is marked close-on-exec here, in one
    /// call (Linux 5.11's `close_range` with `CLOSE_RANGE_CLOEXEC`); the spawn dup's the child's
    /// stdio to 0-2, which clears the mark there.
    ///
    /// `closingInParent` are the child's ends of `ChildPipe`s (its stdio), closed here once the
    /// child has them (Foundation does so only for its own `Pipe`s), or if it could not start.
    ///
    /// Spawns are serialized: Foundation notices a child's end when the child's end of a socket
    /// pair it makes in `run()` closes, and that socket is not close-on-exec either; a child
    /// spawned by another thread at the same moment kept it open (a pod's sandbox lives as long as
    /// the pod), so the first child's termination handler never ran.
    func runWithoutInheritedDescriptors(closingInParent: [FileHandle] = []) throws {
        defer { for handle in closingInParent { try? handle.close() } }
        try spawning.withLock { _ in
            Self.markDescriptorsCloseOnExec()
            try run()
        }
    }

    static func markDescriptorsCloseOnExec() {
        _ = kubelite_close_on_exec_from(3)
    }
}

/// A pipe for a child's stdio, both ends close-on-exec from the moment they exist (`pipe2`), so
/// that a process another thread spawns never holds them: a reader then sees its end when the
/// child it belongs to exits. The child's end goes to `runWithoutInheritedDescriptors(closingInParent:)`.
final class ChildPipe: Sendable {
    let fileHandleForReading: FileHandle
    let fileHandleForWriting: FileHandle

    struct Failure: Error, CustomStringConvertible { var description: String }

    init() throws(Failure) {
        var fds: [Int32] = [-1, -1]
        guard kubelite_pipe_close_on_exec(&fds) == 0 else {
            throw Failure(description: "pipe2: \(String(cString: strerror(errno)))")
        }
        fileHandleForReading = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        fileHandleForWriting = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
    }
}
