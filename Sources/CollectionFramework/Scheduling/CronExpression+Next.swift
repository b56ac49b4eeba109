import Foundation

extension CronExpression {
    /// The first instant strictly after `date` (on a whole minute) that the schedule matches in
    /// ``timeZone``, or nil when it never matches within eight years (e.g. `0 0 30 2 *`).
    ///
    /// The search walks real instants, not wall-clock times, so daylight saving never opens a gap:
    /// - clocks fall back (an hour happens twice): a job like `*/15 * * * *` runs in both passes, every
    ///   15 real minutes; a fixed-time job (`30 1 * * *`) runs once, in the first pass;
    /// - clocks spring forward (an hour never happens): a fixed-time job whose time was skipped runs at
    ///   the first instant after the change; other jobs run at their next matching time.
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func wall(_ instant: Date) -> WallClock {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
            return WallClock(year: c.year!, month: c.month!, day: c.day!, hour: c.hour!, minute: c.minute!)
        }
        var t = Date(timeIntervalSince1970: (floor(date.timeIntervalSince1970 / 60) + 1) * 60)
        let end = t.addingTimeInterval(8 * 366 * 86_400)
        var w = wall(t)
        while t < end {
            if matches(w), !(runsAtFixedTimes && isRepeatedPass(t, wall: w, calendar: calendar)) { return t }
            var step = minutesToNextCandidate(w)
            // Jump, unless a clock change happened inside the jump: then halve it until the change is
            // crossed one minute at a time, where a skipped wall time can be seen.
            while true {
                let u = t.addingTimeInterval(Double(step) * 60)
                let v = wall(u)
                let advanced = v.minutesSinceEpoch - w.minutesSinceEpoch
                if advanced == step {
                    (t, w) = (u, v)
                    break
                }
                if step > 1 {
                    step /= 2
                    continue
                }
                // One real minute: the wall clock moved `advanced` minutes (a spring gap when more than one).
                if advanced > 1, runsAtFixedTimes, skippedTimeMatches(after: w, before: v) { return u }
                (t, w) = (u, v)
                break
            }
        }
        return nil
    }

    /// Real minutes from `w` to the next wall time that could match (never 0), reading the fields
    /// from the largest down; a jump is taken only when wall time moves as real time does.
    private func minutesToNextCandidate(_ w: WallClock) -> Int {
        let minuteOfDay = w.hour * 60 + w.minute
        if !months.contains(w.month) || !allowsDay(year: w.year, month: w.month, day: w.day) {
            return 1440 - minuteOfDay                       // to the next midnight
        }
        if !hours.contains(w.hour) { return 60 - w.minute }    // to the next hour
        for minute in (w.minute + 1)..<60 where minutes.contains(minute) { return minute - w.minute }
        return 60 - w.minute
    }

    /// True when the wall time `w` at `instant` already happened one clock change earlier (the second
    /// pass of an hour that clocks fell back over).
    private func isRepeatedPass(_ instant: Date, wall w: WallClock, calendar: Calendar) -> Bool {
        let offset = timeZone.secondsFromGMT(for: instant)
        let earlierOffset = timeZone.secondsFromGMT(for: instant.addingTimeInterval(-3 * 3600))
        guard earlierOffset > offset else { return false }
        let first = instant.addingTimeInterval(-Double(earlierOffset - offset))
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: first)
        return c.year == w.year && c.month == w.month && c.day == w.day && c.hour == w.hour && c.minute == w.minute
    }

    /// True when a wall time strictly between `from` and `to` (skipped by clocks springing forward) matches.
    private func skippedTimeMatches(after from: WallClock, before to: WallClock) -> Bool {
        var t = from
        t.addMinute()
        while t.minutesSinceEpoch < to.minutesSinceEpoch {
            if matches(t) { return true }
            t.addMinute()
        }
        return false
    }
}

extension CronExpression.WallClock {
    /// Minutes since 1970-01-01 00:00 of this wall time read as if it were UTC (for differences only).
    var minutesSinceEpoch: Int {
        // Days from the civil date (Howard Hinnant's algorithm, proleptic Gregorian).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return (days * 24 + hour) * 60 + minute
    }
}
