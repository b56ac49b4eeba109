import CollectionFramework
import Foundation

/// The CSV members of one archive as one CSV: the first member whole, each later member without its
/// header line, which must equal the first member's (CAISO splits an all-node answer into one CSV
/// per price type). Streams as the members inflate.
struct ConcatenatedCSVMembers: AsyncSequence, Sendable {
    typealias Element = Data
    let archive: ZipArchive
    let members: [ZipArchive.Member]

    struct AsyncIterator: AsyncIteratorProtocol {
        let archive: ZipArchive
        let members: [ZipArchive.Member]
        var index = 0
        var reader: ZipMemberReader?
        var header: Data?
        /// Bytes of a later member read before its header line ended.
        var pendingHeader = Data()
        var headerDone = false

        mutating func next() async throws -> Data? {
            while index < members.count {
                if reader == nil {
                    reader = ZipMemberReader(archive: archive.data, member: members[index])
                    pendingHeader = Data()
                    headerDone = false
                }
                guard let chunk = try reader!.next(maxBytes: 1 << 16) else {
                    // A member that ended inside its first line.
                    let leftover = headerDone ? Data() : pendingHeader
                    let member = index
                    reader = nil
                    index += 1
                    guard !leftover.isEmpty else { continue }
                    if member == 0 {
                        header = leftover
                        return leftover
                    }
                    try checkHeader(leftover, member: member)
                    continue
                }
                if headerDone { return chunk }
                pendingHeader.append(chunk)
                guard let newline = pendingHeader.firstIndex(of: 0x0A) else { continue }
                headerDone = true
                let line = pendingHeader[pendingHeader.startIndex...newline]
                let rest = pendingHeader[pendingHeader.index(after: newline)...]
                if index == 0 {
                    header = Data(line)
                    return pendingHeader
                }
                try checkHeader(Data(line), member: index)
                if !rest.isEmpty { return Data(rest) }
            }
            return nil
        }

        private func checkHeader(_ line: Data, member: Int) throws {
            guard line == header else {
                throw ZipError.corruptMember(member: members[member].name,
                                             reason: "its header line differs from that of \(members[0].name), so the members cannot be joined")
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(archive: archive, members: members) }
}
