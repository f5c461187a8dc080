/// go-yaml v2's parseTimestamp (resolve.go): which plain scalars it reads as a timestamp. The
/// emitter quotes such strings, as go-yaml's encoder does, so that `creationTimestamp:
/// "2026-12-04T15:13:15Z"` reads back as a string in every YAML library (PyYAML would otherwise
/// make it a datetime).
///
/// go-yaml tries Go's time.Parse with these layouts, after a quick check that the text starts with
/// four digits and a dash:
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with a lower-case `t`, `2006-1-2 15:4:5.999999999`
/// and `2006-1-2`.
enum YAMLTimestamp {
    static func isTimestamp(_ text: String) -> Bool {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(min: 4, max: 4), scanner.take(UInt8(ascii: "-")),
              let month = scanner.digits(min: 1, max: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.digits(min: 1, max: 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return false }
        if scanner.atEnd { return true }
        let separator = scanner.next()
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
              let hour = scanner.digits(min: 1, max: 2), scanner.take(UInt8(ascii: ":")),
              let minute = scanner.digits(min: 1, max: 2), scanner.take(UInt8(ascii: ":")),
              let second = scanner.digits(min: 1, max: 2),
              hour < 24, minute < 60, second < 60 else { return false }
        if scanner.take(UInt8(ascii: ".")) {
            guard scanner.digits(min: 1, max: Int.max) != nil else { return false }
        }
        // The space-separated layout has no zone; the T layouts require one.
        if separator == UInt8(ascii: " ") { return scanner.atEnd }
        if scanner.take(UInt8(ascii: "Z")) { return scanner.atEnd }
        let sign = scanner.next()
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
              let zoneHours = scanner.digits(min: 2, max: 2), scanner.take(UInt8(ascii: ":")),
              let zoneMinutes = scanner.digits(min: 2, max: 2),
              zoneHours < 24, zoneMinutes < 60 else { return false }
        return scanner.atEnd
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func next() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Between `min` and `max` decimal digits (greedy up to `max`), as a number.
        mutating func digits(min: Int, max: Int) -> Int? {
            var value = 0, count = 0
            while count < max, index < bytes.count, (48...57).contains(bytes[index]) {
                value = value &* 10 &+ Int(bytes[index] - 48)
                index += 1
                count += 1
            }
            return count >= min ? value : nil
        }
    }
}
