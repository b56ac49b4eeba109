import Foundation

/// MISO's market clock: Eastern Standard Time (UTC-05:00) all year, with no daylight saving shift.
public enum MisoClock {
    /// The zone MISO's feeds write their times in; snapshot identifiers and partitions use it too.
    public static let timeZone = TimeZone(secondsFromGMT: -5 * 3600)!
}
