import Foundation

/// A CronJob schedule as upstream parses it (robfig/cron v3's `ParseStandard`): five fields
/// (minute, hour, day of month, month, day of week) with `*`, `?`, ranges, steps, lists and
/// names, or one of the `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`,
/// `@hourly` and `@every <duration>` descriptors, optionally after a `TZ=` or `CRON_TZ=` prefix.
/// Parse errors carry robfig's wording, which the API server puts in its 422 causes.
public struct CronSchedule: Sendable, Equatable {
    /// The bit sets of each field; bit 63 marks a field written as `*` or `?` (robfig's starBit),
    /// which decides how day of month and day of week combine.
    var minute: UInt64, hour: UInt64, dayOfMonth: UInt64, month: UInt64, dayOfWeek: UInt64
    /// Set for `@every`: runs each time this interval (whole seconds) has passed.
    var every: Int64?
    /// The zone a `TZ=` prefix named, if any.
    public var timeZone: TimeZone?

    static let starBit: UInt64 = 1 << 63

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    struct Bounds {
        let min: Int, max: Int
        let names: [String: Int]
    }

    static let minutes = Bounds(min: 0, max: 59, names: [:])
    static let hours = Bounds(min: 0, max: 23, names: [:])
    static let days = Bounds(min: 1, max: 31, names: [:])
    static let months = Bounds(min: 1, max: 12, names: [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ])
    static let weekdays = Bounds(min: 0, max: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

    /// Whether a schedule names a time zone in its text (`TZ=` or `CRON_TZ=`), which the API
    /// refuses on new CronJobs in favour of `spec.timeZone` (upstream checks for "TZ" anywhere).
    public static func mentionsTimeZone(_ schedule: String) -> Bool { schedule.contains("TZ") }

    public init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(description: "empty spec string") }
        var spec = Substring(text)
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            let space = spec.firstIndex(of: " ") ?? spec.endIndex
            let equals = spec.firstIndex(of: "=")!
            let name = String(spec[spec.index(after: equals)..<space])
            guard let zone = Self.zone(named: name) else {
                throw ParseError(description: "provided bad location \(name): unknown time zone \(name)")
            }
            timeZone = zone
            spec = Substring(spec[space...].trimmingCharacters(in: .whitespaces))
        }
        minute = 0; hour = 0; dayOfMonth = 0; month = 0; dayOfWeek = 0
        if spec.hasPrefix("@") {
            try parseDescriptor(String(spec))
            return
        }
        let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        minute = try Self.field(fields[0], Self.minutes)
        hour = try Self.field(fields[1], Self.hours)
        dayOfMonth = try Self.field(fields[2], Self.days)
        month = try Self.field(fields[3], Self.months)
        dayOfWeek = try Self.field(fields[4], Self.weekdays)
    }

    /// time.LoadLocation's answer for a zone name: "" and "UTC" are UTC; "Local" is the
    /// machine's zone; otherwise a zone of the tz database.
    public static func zone(named name: String) -> TimeZone? {
        if name.isEmpty || name == "UTC" { return TimeZone(identifier: "UTC") }
        if name == "Local" { return TimeZone.current }
        guard TimeZone.knownTimeZoneIdentifiers.contains(name) || name == "GMT" else { return nil }
        return TimeZone(identifier: name)
    }

    mutating func parseDescriptor(_ descriptor: String) throws(ParseError) {
        let all = { (b: Bounds) in Self.bits(b.min, b.max, 1) | Self.starBit }
        minute = 1; hour = 1
        switch descriptor {
        case "@yearly", "@annually": dayOfMonth = 1 << 1; month = 1 << 1; dayOfWeek = all(Self.weekdays)
        case "@monthly": dayOfMonth = 1 << 1; month = all(Self.months); dayOfWeek = all(Self.weekdays)
        case "@weekly": dayOfMonth = all(Self.days); month = all(Self.months); dayOfWeek = 1
        case "@daily", "@midnight": dayOfMonth = all(Self.days); month = all(Self.months); dayOfWeek = all(Self.weekdays)
        case "@hourly":
            hour = all(Self.hours); dayOfMonth = all(Self.days); month = all(Self.months); dayOfWeek = all(Self.weekdays)
        default:
            let prefix = "@every "
            guard descriptor.hasPrefix(prefix) else { throw ParseError(description: "unrecognized descriptor: \(descriptor)") }
            let text = String(descriptor.dropFirst(prefix.count))
            guard let seconds = GoDuration.seconds(text) else {
                throw ParseError(description: "failed to parse duration \(descriptor): time: invalid duration \(FieldErrorQuote.go(text))")
            }
            // robfig's Every: at least a second, rounded down to whole seconds.
            every = max(1, Int64(seconds))
        }
    }

    static func bits(_ start: Int, _ end: Int, _ step: Int) -> UInt64 {
        var b: UInt64 = 0
        var i = start
        while i <= end { b |= 1 << UInt64(i); i += step }
        return b
    }

    /// getField: a comma-separated list of ranges.
    static func field(_ text: String, _ bounds: Bounds) throws(ParseError) -> UInt64 {
        var result: UInt64 = 0
        for expr in text.split(separator: ",") { result |= try range(String(expr), bounds) }
        return result
    }

    /// getRange: `*`, `?`, `n`, `a-b`, each optionally `/step`; `n/step` runs from n to the maximum.
    static func range(_ expr: String, _ bounds: Bounds) throws(ParseError) -> UInt64 {
        let rangeAndStep = expr.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let singleDigit = lowAndHigh.count == 1
        var start: Int, end: Int, step: Int
        var extra: UInt64 = 0
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = bounds.min; end = bounds.max; extra = starBit
        } else {
            start = try intOrName(lowAndHigh[0], bounds.names)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try intOrName(lowAndHigh[1], bounds.names)
            default: throw ParseError(description: "too many hyphens: \(expr)")
            }
        }
        switch rangeAndStep.count {
        case 1: step = 1
        case 2:
            step = try integer(rangeAndStep[1])
            if singleDigit { end = bounds.max }
            if step > 1 { extra = 0 }
        default: throw ParseError(description: "too many slashes: \(expr)")
        }
        if start < bounds.min { throw ParseError(description: "beginning of range (\(start)) below minimum (\(bounds.min)): \(expr)") }
        if end > bounds.max { throw ParseError(description: "end of range (\(end)) above maximum (\(bounds.max)): \(expr)") }
        if start > end { throw ParseError(description: "beginning of range (\(start)) beyond end of range (\(end)): \(expr)") }
        if step == 0 { throw ParseError(description: "step of range should be a positive number: \(expr)") }
        return bits(start, end, step) | extra
    }

    static func intOrName(_ text: String, _ names: [String: Int]) throws(ParseError) -> Int {
        if let named = names[text.lowercased()] { return named }
        return try integer(text)
    }

    /// mustParseInt, with strconv.Atoi's error text.
    static func integer(_ text: String) throws(ParseError) -> Int {
        let digits = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ParseError(description: "failed to parse int from \(text): strconv.Atoi: parsing \(FieldErrorQuote.go(text)): invalid syntax")
        }
        guard let value = Int(text) else {
            throw ParseError(description: "failed to parse int from \(text): strconv.Atoi: parsing \(FieldErrorQuote.go(text)): value out of range")
        }
        if value < 0 { throw ParseError(description: "negative number (\(value)) not allowed: \(text)") }
        return value
    }
}

/// Go's %q for the strings the cron errors quote.
enum FieldErrorQuote {
    static func go(_ s: String) -> String { FieldError.quote(s) }
}
