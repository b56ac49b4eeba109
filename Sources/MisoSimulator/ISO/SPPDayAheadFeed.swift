import Foundation

/// SPP's day-ahead LMP by settlement location (`shared/docs/iso-public-feeds.md` §3):
/// `/file-browser-api/download/da-lmp-by-settlement-location?path=/{YYYY}/{MM}/By_Day/DA-LMP-SL-{YYYYMMDD}0100.csv`,
/// one hourly file per Central market day: a row per settlement location and hour END, the first
/// labelled 01:00, the last the next midnight (`00:00` of the next day: the last label is
/// *unconfirmed* in the reference), 23 hours on the spring day and 25 on the autumn one.
///
/// A day's file is posted at 13:00 Central the day before (the simulator's choice: SPP's hour is not
/// in the reference); before that, and for any path SPP would not have, the answer is 404.
struct SPPDayAheadFeed {
    static let path = "/file-browser-api/download/da-lmp-by-settlement-location"
    static let clock = MarketClock.central
    static let postingHour = 13

    let seed: UInt64
    let now: Date
    let locationCount: Int

    var locations: [String] { SPPFeed(seed: seed, now: now, locationCount: locationCount).locations }

    /// The file's body, or nil for 404.
    func body(path: String?, fault: SimulatorFault?) -> Data? {
        guard let path, let day = Self.marketDay(path), Self.postedAt(day) <= now else { return nil }
        return csv(day, fault: fault)
    }

    /// When the file of `day` appears.
    static func postedAt(_ day: OperatingDay) -> Date {
        let before = day.adding(days: -1)
        return clock.instant(before, hour: postingHour, minute: 0) ?? clock.start(before).addingTimeInterval(Double(postingHour * 3600))
    }

    /// The market day a by-day path names, if the path is one SPP would have (folder = the day's year and month).
    static func marketDay(_ path: String) -> OperatingDay? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0].isEmpty, parts[3] == "By_Day", parts[4].hasPrefix("DA-LMP-SL-"), parts[4].hasSuffix("0100.csv") else { return nil }
        let stamp = String(parts[4].dropFirst("DA-LMP-SL-".count).dropLast("0100.csv".count))
        guard let day = OperatingDay(compact: stamp), parts[1] == String(format: "%04d", day.year),
              parts[2] == String(format: "%02d", day.month) else { return nil }
        return day
    }

    /// The hour ends of `day`: 24, 23 or 25 instants, the last the next local midnight.
    static func hourEnds(_ day: OperatingDay) -> [Date] {
        clock.steps(day, minutes: 60).map { $0.addingTimeInterval(3600) }
    }

    private func csv(_ day: OperatingDay, fault: SimulatorFault?) -> Data {
        let baaThird = fault == .sppDABAAThird, seconds = fault != .sppDANoSeconds
        var lines = [baaThird ? "Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC"
                              : "Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC,BAA"]
        // The wrong-day fault serves the day before's hours under this day's name.
        let ends = Self.hourEnds(fault == .sppDAWrongDay ? day.adding(days: -1) : day)
        for (hour, end) in ends.enumerated() {
            let local = (fault == .sppDAIntervalUTC ? MarketClock.utc : Self.clock).wall(end, seconds: seconds)
            let gmt = MarketClock.utc.wall(end, seconds: seconds)
            for (index, location) in locations.enumerated() {
                if fault == .sppDAMissingHour, hour == 13, index == min(1, locations.count - 1) { continue }
                var random = SeededRandom(seed: seed, key: "spp-da|\(end.timeIntervalSince1970)|\(location)")
                let mec = random.int(in: 150_000...600_000), mcc = random.int(in: -50_000...50_000), mlc = random.int(in: -10_000...20_000)
                var lmp = SPPFeed.fourDecimals(mec + mcc + mlc + (fault == .sppDALMPSum && hour == 5 && index == 0 ? 5_000 : 0))
                if fault == .sppDABadPrice, hour == 7, index == 0 { lmp = "N/A" }
                let prices = [lmp] + [mlc, mcc, mec].map(SPPFeed.fourDecimals)
                let baa = index % 4 == 3 ? "SWPW" : "SPP"
                let fields = baaThird ? [local, gmt, baa, location, location + "_PN"] + prices : [local, gmt, location, location + "_PN"] + prices + [baa]
                lines.append(fields.joined(separator: ","))
            }
        }
        if fault == .sppDADuplicateRow, lines.count > 1 { lines.append(lines[1]) }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
