import Foundation

/// SPP's Integrated Marketplace file browser (`shared/docs/iso-public-feeds.md` §3):
/// `/file-browser-api/download/rtbm-lmp-by-location?path=/{YYYY}/{MM}/By_Interval/{DD}/RTBM-LMP-SL-{YYYYMMDDHHMM}[d].csv`
/// (one file per 5-minute interval, named for its END in Central prevailing time, in the folder of
/// its START date, `d` in the fall-back hour's second pass) and `path=/RTBM-LMP-SL-latestInterval.csv`.
struct SPPFeed {
    static let path = "/file-browser-api/download/rtbm-lmp-by-location"
    static let clock = MarketClock.central

    let seed: UInt64
    let now: Date
    let locationCount: Int

    var locations: [String] {
        ["AECI", "SPPNORTH_HUB", "SPPSOUTH_HUB"].prefix(locationCount) + (0..<max(0, locationCount - 3)).map { String(format: "SL_%03d", $0 + 1) }
    }

    /// The file's body, or nil for 404.
    func body(path: String?, fault: SimulatorFault?) -> Data? {
        guard let path else { return nil }
        let end: Date
        if path == "/RTBM-LMP-SL-latestInterval.csv" {
            end = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 300).rounded(.down) * 300)
        } else {
            guard let resolved = Self.intervalEnd(path) else { return nil }
            end = resolved
        }
        guard end <= now else { return nil }
        if fault == .sppMissingInterval {
            let c = Self.clock.fields(end)
            if c.hour == 10, c.minute == 30 { return nil }
        }
        return csv(end, baaThird: fault == .sppBAAThird)
    }

    /// Whether `end` lies in the repeated hour after the fall-back change (gridstatus's rule: the UTC
    /// offset is larger than an hour earlier).
    static func isRepeatedHour(_ end: Date) -> Bool {
        abs(clock.zone.secondsFromGMT(for: end)) > abs(clock.zone.secondsFromGMT(for: end.addingTimeInterval(-3600)))
    }

    /// The interval end a by-interval path names, if the path is one SPP would have.
    static func intervalEnd(_ path: String) -> Date? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 5, parts[2] == "By_Interval", parts[4].hasPrefix("RTBM-LMP-SL-"), parts[4].hasSuffix(".csv") else { return nil }
        var stamp = String(parts[4].dropFirst("RTBM-LMP-SL-".count).dropLast(4))
        let repeated = stamp.hasSuffix("d")
        if repeated { stamp.removeLast() }
        guard stamp.count == 12, let day = OperatingDay(compact: String(stamp.prefix(8))),
              let hour = Int(stamp.dropFirst(8).prefix(2)), let minute = Int(stamp.suffix(2)), minute % 5 == 0,
              let end = clock.instant(day, hour: hour, minute: minute, later: repeated),
              isRepeatedHour(end) == repeated else { return nil }
        let folder = clock.day(of: end.addingTimeInterval(-300))
        guard parts[0] == String(format: "%04d", folder.year), parts[1] == String(format: "%02d", folder.month),
              parts[3] == String(format: "%02d", folder.day) else { return nil }
        return end
    }

    private func csv(_ end: Date, baaThird: Bool) -> Data {
        let local = Self.clock.wall(end), gmt = MarketClock.utc.wall(end)
        var lines = [baaThird ? "Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC"
                              : "Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC,BAA"]
        for (index, location) in locations.enumerated() {
            var random = SeededRandom(seed: seed, key: "spp|\(end.timeIntervalSince1970)|\(location)")
            let mec = random.int(in: 150_000...600_000), mcc = random.int(in: -50_000...50_000), mlc = random.int(in: -10_000...20_000)
            let baa = index % 4 == 3 ? "SWPW" : "SPP"
            let prices = [mec + mcc + mlc, mlc, mcc, mec].map(Self.fourDecimals)
            let fields = baaThird ? [local, gmt, baa, location, location + "_PN"] + prices : [local, gmt, location, location + "_PN"] + prices + [baa]
            lines.append(fields.joined(separator: ","))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func fourDecimals(_ value: Int) -> String {
        (value < 0 ? "-" : "") + String(abs(value) / 10_000) + "." + String(format: "%04d", abs(value) % 10_000)
    }
}
