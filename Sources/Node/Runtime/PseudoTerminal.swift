import Foundation

/// A pseudo-terminal pair for `exec -t`: the parent side carries the client's stream, the child
/// side becomes the command's stdin, stdout, stderr and controlling terminal.
struct PseudoTerminal: @unchecked Sendable {
    let parent: FileHandle
    let child: FileHandle

    /// Linux's TIOCGPTN and TIOCSPTLCK (function-like macros Swift does not import).
    static let getPTYNumber: UInt = 0x8004_5430
    static let setPTYLock: UInt = 0x4004_5431

    /// posix_openpt, unlockpt and ptsname as glibc does them (Swift's Glibc module lacks them);
    /// grantpt has nothing to do with devpts.
    static func open() -> PseudoTerminal? {
        let fd = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard ioctl(fd, setPTYLock, &unlock) == 0, ioctl(fd, getPTYNumber, &number) == 0 else { close(fd); return nil }
        let childFD = Glibc.open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard childFD >= 0 else { close(fd); return nil }
        return PseudoTerminal(parent: FileHandle(fileDescriptor: fd, closeOnDealloc: true),
                              child: FileHandle(fileDescriptor: childFD, closeOnDealloc: false))
    }

    /// Our copy of the child side is closed once the command holds it, so the parent side reads
    /// EOF (EIO) when the command ends.
    func closeChild() { close(child.fileDescriptor) }

    func resize(width: UInt16, height: UInt16) {
        var size = winsize(ws_row: height, ws_col: width, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(parent.fileDescriptor, UInt(TIOCSWINSZ), &size)
    }
}
