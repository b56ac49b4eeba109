import Foundation

/// One parsed HTTP/1.1 request, as a ``LoopbackHTTPServer`` hands it to its handler.
public struct LoopbackHTTPRequest: Sendable {
    /// The method, upper-cased (`GET`, `POST`, ...).
    public var method: String
    /// The percent-decoded path without the query string, e.g. `/api/CoordinatedTransactionScheduling`.
    public var path: String
    /// Query items in the order they were sent, percent-decoded (`+` read as a space).
    public var queryItems: [(name: String, value: String)]
    /// Header fields in the order they were sent; names keep the client's spelling.
    public var headers: [(name: String, value: String)]
    /// The request body (empty when none was sent).
    public var body: Data

    public init(method: String, path: String, queryItems: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
    }

    /// The value of the first query item called `name`, or nil.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The value of the first header called `name` (compared case-insensitively), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
