/// What a candidate was made for, as typed values: set by the collector's `candidates(for:)` and
/// read by its validator (e.g. "the payload's operating day is the requested date"), so nothing
/// has to be parsed back out of the URL.
public struct CandidateContext: Sendable, Equatable {
    /// The operating day requested, or nil for a snapshot.
    public var requestedDate: CalendarDate?
    /// The collector's checked parameters and filters that shaped this candidate, by name.
    public var filters: [String: String]

    public init(requestedDate: CalendarDate? = nil, filters: [String: String] = [:]) {
        self.requestedDate = requestedDate
        self.filters = filters
    }
}
