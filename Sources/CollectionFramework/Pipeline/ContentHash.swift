import Crypto
import Foundation

/// SHA-256 of raw content, as lowercase hex: the dedup key shared with the Python framework.
public enum ContentHash {
    public static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// MD5 hex (S3 ETags of single-part uploads).
    public static func md5Hex(_ data: Data) -> String {
        hex(Insecure.MD5.hash(data: data))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
