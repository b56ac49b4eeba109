import Foundation

extension S3ObjectStore: ObjectListing {
    /// ListObjectsV2, page by page (1,000 keys a page). Pages follow `start-after` (the last key seen)
    /// rather than the continuation token: libcurl 7.88 signs the query as written, without sorting or
    /// re-encoding it, so the query must already be canonical, which an opaque token may not be.
    public func keys(withPrefix prefix: String) async throws -> [String] {
        var keys: [String] = []
        var startAfter: String?
        let location = configuration.location(for: prefix)
        do {
            repeat {
                // Parameters in sorted order, as SigV4's canonical query has them.
                var query = "list-type=2&prefix=" + S3ListingPage.encode(prefix)
                if let startAfter { query += "&start-after=" + S3ListingPage.encode(startAfter) }
                let response = try await transport.send(method: "GET", url: configuration.bucketURL + "?" + query,
                                                        operation: "LIST", location: location)
                guard response.status == 200 else {
                    throw transport.classify(response, operation: "LIST (s3:ListBucket)", location: location)
                }
                let page = S3ListingPage(body: response.body)
                keys += page.keys
                startAfter = page.isTruncated ? page.keys.last : nil
                if page.isTruncated, startAfter == nil {
                    throw S3Error.unexpectedStatus(operation: "LIST", location: location, status: response.status,
                                                   code: nil, message: "a truncated listing with no keys")
                }
            } while startAfter != nil
        } catch let error as S3Error {
            throw error.objectStoreError
        }
        return keys.sorted()
    }
}

/// One page of a ListObjectsV2 answer: `<Contents><Key>…</Key></Contents>…<IsTruncated>`, `<NextContinuationToken>`.
struct S3ListingPage: Equatable {
    var keys: [String] = []
    var isTruncated = false
    var nextToken: String?

    init(body: Data) {
        let text = String(decoding: body, as: UTF8.self)
        keys = S3XMLText.elements("Key", in: text)
        isTruncated = S3XMLText.element("IsTruncated", in: text) == "true"
        nextToken = S3XMLText.element("NextContinuationToken", in: text)
    }

    /// A query value as S3 canonicalises it: letters, digits and `-._~` as they are, anything else
    /// (`/` and `=` included) percent-encoded. libcurl 7.88 signs the query exactly as written, so it
    /// must already be in this form. (moto 5.2 alone accepts `/` and `=` unencoded and refuses them
    /// encoded; S3 does the opposite, as the botocore-based reference server in the tests does.)
    static func encode(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
