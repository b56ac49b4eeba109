/// Checks a collector makes on a request in `candidates(for:)`, before any download, with
/// messages that say what to do instead.
extension CollectionRequest {
    /// Refuses a day or range request: for feeds that only ever serve their current snapshot and
    /// take no date parameter. Throws ``CollectorError/invalidArgument(_:)``.
    ///
    /// - Parameter collector: the collector's type name, e.g. `miso.exante_lmp`, named in the message.
    public func requireSnapshot(collector typeName: String) throws {
        guard let days = days else { return }
        let asked = days.count == 1 ? "--date \(days[0])" : "--start-date/--end-date \(days.first.map(\.description) ?? "?")…\(days.last.map(\.description) ?? "?")"
        throw CollectorError.invalidArgument(
            "\(typeName) is a snapshot-only feed: it has no date parameter and always serves the current interval, so \(asked) cannot be honoured; run it without --date/--start-date/--end-date")
    }

    /// Refuses filters whose names are not in `accepted` (with a "did you mean" when one is close).
    /// Throws ``CollectorError/invalidArgument(_:)``.
    public func requireOnlyFilters(_ accepted: [String], collector typeName: String) throws {
        for name in filters.keys.sorted() where !accepted.contains(name) {
            throw CollectorError.invalidArgument(CollectorParameter.unknownMessage(name, accepted: accepted, collector: typeName))
        }
    }
}
