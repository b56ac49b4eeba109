import Foundation

/// A ZIP archive held in memory (ISO archives are a few megabytes), with its members listed and
/// readable as streams (``ZipMemberChunks``).
///
/// The central directory is read first. When it is missing (a truncated download) or disagrees with
/// the local headers (a bad offset, size or name: seen in ISO archives, see gridstatus's
/// "Tolerate corrupt zip central directory"), the members are found by walking the local headers
/// instead, and ``recoveredFromLocalHeaders`` says so. Every member's CRC-32 is checked as it is read.
public struct ZipArchive: Sendable {
    /// One file inside the archive.
    public struct Member: Sendable, Equatable {
        public var name: String
        /// 0 = stored, 8 = DEFLATE.
        public var method: Int
        /// Where the member's (compressed) data starts in the archive.
        public var dataOffset: Int
        /// Length of the compressed data, or nil when only the DEFLATE stream's own end says
        /// (a local header with a data descriptor, sizes written after the data).
        public var compressedSize: Int?
        public var uncompressedSize: Int?
        /// The CRC-32 recorded for the uncompressed bytes, when one is known before reading.
        public var crc32: UInt32?
    }

    /// The archive's bytes.
    public let data: Data
    /// The members, in archive order.
    public let members: [Member]
    /// True when the central directory was missing or wrong and the members come from the local headers.
    public let recoveredFromLocalHeaders: Bool
    /// True when the archive ends before its end record (a cut download): members may be missing,
    /// so a member not found is not proof that the source lacks it.
    public let isTruncated: Bool

    /// Lists the members of `data`; throws ``ZipError/notAZip(excerpt:)`` for bytes that are not a
    /// ZIP archive (an error page) and ``ZipError/truncated(member:)`` when not even one local
    /// header is whole.
    public init(_ data: Data) throws(ZipError) {
        let bytes = ZipBytes(data)
        guard bytes.count >= 4, bytes.u32(0) == Signature.local || bytes.u32(0) == Signature.endOfCentralDirectory else {
            throw ZipError.notAZip(excerpt: Self.excerpt(data))
        }
        self.data = data
        if let central = Self.centralDirectoryEntries(bytes), Self.agreesWithLocalHeaders(central, bytes) {
            members = central.map(\.member)
            recoveredFromLocalHeaders = false
            isTruncated = false
        } else {
            let walk = try Self.localHeaderMembers(bytes)
            members = walk.members
            recoveredFromLocalHeaders = true
            isTruncated = walk.ranOffTheEnd
        }
    }

    /// The member called `name`, or ``ZipError/memberNotFound(_:available:)``.
    public func member(named name: String) throws(ZipError) -> Member {
        guard let member = members.first(where: { $0.name == name }) else {
            throw ZipError.memberNotFound(name, available: members.map(\.name))
        }
        return member
    }

    /// The member's bytes as a stream, inflated and CRC-checked chunk by chunk.
    public func chunks(of member: Member, chunkSize: Int = 1 << 16) -> ZipMemberChunks {
        ZipMemberChunks(archive: data, member: member, chunkSize: chunkSize)
    }

    /// The member's whole uncompressed content.
    public func contents(of member: Member) throws -> Data {
        var reader = ZipMemberReader(archive: data, member: member)
        var out = Data()
        while let chunk = try reader.next(maxBytes: 1 << 20) { out.append(chunk) }
        return out
    }

    // MARK: - Reading the directory

    enum Signature {
        static let local: UInt32 = 0x0403_4b50
        static let central: UInt32 = 0x0201_4b50
        static let endOfCentralDirectory: UInt32 = 0x0605_4b50
        static let dataDescriptor: UInt32 = 0x0807_4b50
    }

    private static func centralDirectoryEntries(_ bytes: ZipBytes) -> [(member: Member, localOffset: Int)]? {
        // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
        let lowest = max(0, bytes.count - 22 - 65_535)
        var end = bytes.count - 22
        while end >= lowest, bytes.u32(end) != Signature.endOfCentralDirectory { end -= 1 }
        guard end >= lowest else { return nil }
        let count = Int(bytes.u16(end + 10)), offset = Int(bytes.u32(end + 16))
        var position = offset
        var entries: [(member: Member, localOffset: Int)] = []
        for _ in 0..<count {
            guard position + 46 <= bytes.count, bytes.u32(position) == Signature.central else { return nil }
            let nameLength = Int(bytes.u16(position + 28))
            let extraLength = Int(bytes.u16(position + 30)), commentLength = Int(bytes.u16(position + 32))
            let localOffset = Int(bytes.u32(position + 42))
            guard let name = bytes.text(position + 46, nameLength), localOffset + 30 <= bytes.count else { return nil }
            let localName = Int(bytes.u16(localOffset + 26)), localExtra = Int(bytes.u16(localOffset + 28))
            entries.append((Member(name: name, method: Int(bytes.u16(position + 10)),
                                   dataOffset: localOffset + 30 + localName + localExtra,
                                   compressedSize: Int(bytes.u32(position + 20)), uncompressedSize: Int(bytes.u32(position + 24)),
                                   crc32: bytes.u32(position + 16)), localOffset))
            position += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    /// Every central entry must point at a local header of the same name and method (and, when the
    /// local header records one, the same compressed size), with its data inside the archive.
    private static func agreesWithLocalHeaders(_ entries: [(member: Member, localOffset: Int)], _ bytes: ZipBytes) -> Bool {
        for (member, offset) in entries {
            guard let local = try? localHeader(at: offset, bytes), local.member.name == member.name,
                  local.member.method == member.method,
                  local.member.compressedSize == nil || local.member.compressedSize == member.compressedSize,
                  let size = member.compressedSize, member.dataOffset + size <= bytes.count
            else { return false }
        }
        return true
    }

    /// Walks the local headers from the start of the archive.
    private static func localHeaderMembers(_ bytes: ZipBytes) throws(ZipError) -> (members: [Member], ranOffTheEnd: Bool) {
        var members: [Member] = []
        var ranOffTheEnd = false
        var position = 0
        while position + 4 <= bytes.count, bytes.u32(position) == Signature.local {
            let header = try localHeader(at: position, bytes)
            var member = header.member
            let dataEnd: Int
            if let size = member.compressedSize {
                dataEnd = member.dataOffset + size
                guard dataEnd <= bytes.count else {
                    members.append(member) // read it to report the truncation where it happens
                    ranOffTheEnd = true
                    break
                }
            } else {
                // Sizes follow the data: let the DEFLATE stream say where it ends.
                guard member.method == 8, let length = ZipMemberReader.deflateLength(bytes.data, from: member.dataOffset) else {
                    members.append(member)
                    ranOffTheEnd = true
                    break
                }
                member.compressedSize = length
                dataEnd = member.dataOffset + length
            }
            var next = dataEnd
            if header.hasDataDescriptor {
                if next + 4 <= bytes.count, bytes.u32(next) == Signature.dataDescriptor { next += 4 }
                if member.crc32 == nil || member.crc32 == 0, next + 4 <= bytes.count { member.crc32 = bytes.u32(next) }
                if member.uncompressedSize == nil, next + 12 <= bytes.count { member.uncompressedSize = Int(bytes.u32(next + 8)) }
                next += 12
            }
            members.append(member)
            position = next
        }
        guard !members.isEmpty else { throw ZipError.truncated(member: nil) }
        // The walk stops at the central directory of a whole archive; anything else means it was cut.
        let stop = bytes.u32(position)
        return (members, ranOffTheEnd || (stop != Signature.central && stop != Signature.endOfCentralDirectory))
    }

    private static func localHeader(at offset: Int, _ bytes: ZipBytes) throws(ZipError) -> (member: Member, hasDataDescriptor: Bool) {
        guard offset >= 0, offset + 30 <= bytes.count, bytes.u32(offset) == Signature.local else { throw ZipError.truncated(member: nil) }
        let flags = bytes.u16(offset + 6)
        let nameLength = Int(bytes.u16(offset + 26)), extraLength = Int(bytes.u16(offset + 28))
        guard let name = bytes.text(offset + 30, nameLength) else { throw ZipError.truncated(member: nil) }
        let descriptor = flags & 0x8 != 0
        let compressed = Int(bytes.u32(offset + 18)), crc = bytes.u32(offset + 14)
        return (Member(name: name, method: Int(bytes.u16(offset + 8)), dataOffset: offset + 30 + nameLength + extraLength,
                       compressedSize: descriptor && compressed == 0 ? nil : compressed,
                       uncompressedSize: descriptor ? nil : Int(bytes.u32(offset + 22)),
                       crc32: descriptor && crc == 0 ? nil : crc), descriptor)
    }

    /// The body's first bytes as printable text, for an error message.
    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(80), as: UTF8.self)
        return String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0xFFFD ? " " : Character($0) })
    }
}

/// Little-endian reads that never trap: out of range reads give 0 (the callers check lengths).
struct ZipBytes {
    let data: Data
    let base: Int
    var count: Int { data.count }

    init(_ data: Data) {
        self.data = data
        base = data.startIndex
    }

    func u16(_ offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= count else { return 0 }
        return UInt16(data[base + offset]) | UInt16(data[base + offset + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= count else { return 0 }
        return UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16
    }

    func text(_ offset: Int, _ length: Int) -> String? {
        guard offset >= 0, length >= 0, offset + length <= count else { return nil }
        return String(decoding: data[(base + offset)..<(base + offset + length)], as: UTF8.self)
    }
}
