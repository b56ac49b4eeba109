import Foundation

/// One queued candidate: which collector, and the request that makes it (a day and the filters),
/// named by the candidate's identifier. A worker turns it back into the candidate by asking the
/// collector for the same request and picking that identifier, so a queue entry never carries a URL
/// or headers that could go stale, and any worker with the same configuration can run it.
public struct WorkItem: Sendable, Equatable {
    public var collector: String
    public var date: CalendarDate
    public var filters: [String: String]
    public var identifier: String
    public var enqueuedAt: Date

    public init(collector: String, date: CalendarDate, filters: [String: String] = [:], identifier: String, enqueuedAt: Date = Date()) {
        self.collector = collector
        self.date = date
        self.filters = filters
        self.identifier = identifier
        self.enqueuedAt = enqueuedAt
    }

    /// The stream entry's fields, flat, as XADD takes them.
    var fields: [String] {
        let filterText = filters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return ["collector", collector, "date", date.description, "filters", filterText, "identifier", identifier,
                "enqueued_at", String(format: "%.3f", enqueuedAt.timeIntervalSince1970)]
    }

    /// Reads the fields of an entry; nil when one is missing or malformed.
    init?(fields: [String: String]) {
        guard let collector = fields["collector"], let dateText = fields["date"], let date = CalendarDate(iso: dateText),
              let identifier = fields["identifier"] else { return nil }
        var filters: [String: String] = [:]
        for pair in (fields["filters"] ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { filters[parts[0]] = parts[1] }
        }
        self.init(collector: collector, date: date, filters: filters, identifier: identifier,
                  enqueuedAt: fields["enqueued_at"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) ?? Date())
    }
}
