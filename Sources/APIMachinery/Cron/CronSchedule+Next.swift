import Foundation

extension CronSchedule {
    /// robfig's SpecSchedule.Next: the first whole minute strictly after `date` that the schedule
    /// matches, read on the wall clock of `zone` (a `TZ=` prefix wins); nil when nothing matches
    /// within five years (`0 0 30 2 *`), as robfig gives up then.
    public func next(after date: Date, in zone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        if let every {
            // Every.Next: the interval after the date's whole second.
            let whole = date.timeIntervalSince1970.rounded(.down)
            return Date(timeIntervalSince1970: whole + Double(every))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone ?? zone
        let firstMinute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        var t = Date(timeIntervalSince1970: firstMinute)
        let limit = calendar.date(byAdding: .year, value: 5, to: t)!
        while t <= limit {
            let c = calendar.dateComponents([.month, .day, .hour, .minute, .weekday], from: t)
            guard let monthValue = c.month, let day = c.day, let hourValue = c.hour, let minuteValue = c.minute,
                  let weekday = c.weekday else { return nil }
            // A field that does not match moves to the start of the next month, day or hour.
            if month & (1 << UInt64(monthValue)) == 0 {
                t = calendar.dateInterval(of: .month, for: t)!.end
                continue
            }
            if !dayMatches(day: day, weekday: weekday - 1) {
                t = calendar.dateInterval(of: .day, for: t)!.end
                continue
            }
            if hour & (1 << UInt64(hourValue)) == 0 {
                t = calendar.dateInterval(of: .hour, for: t)!.end
                continue
            }
            if minute & (1 << UInt64(minuteValue)) == 0 {
                t = t.addingTimeInterval(60)
                continue
            }
            return t
        }
        return nil
    }

    /// dayMatches: with `*` (or `?`) in either day field both must match, otherwise either.
    func dayMatches(day: Int, weekday: Int) -> Bool {
        let domMatch = dayOfMonth & (1 << UInt64(day)) != 0
        let dowMatch = dayOfWeek & (1 << UInt64(weekday)) != 0
        if dayOfMonth & Self.starBit != 0 || dayOfWeek & Self.starBit != 0 { return domMatch && dowMatch }
        return domMatch || dowMatch
    }
}

/// Go's time.ParseDuration for the `@every` descriptor: a sequence of decimal numbers with units
/// (ns, us, µs, ms, s, m, h), optionally signed.
enum GoDuration {
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return sign * total
    }
}
