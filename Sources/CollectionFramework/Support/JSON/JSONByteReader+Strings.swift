/// String parsing: a fast path that slices plain runs straight out of the buffer, and a slower
/// path, taken only after the first backslash, that decodes escapes into a byte buffer.
extension JSONByteReader {
    /// Parses a string whose opening quote is just before `index`; leaves `index` after the closing quote.
    mutating func parseStringBody() throws -> String {
        let start = index
        var i = index
        while i < count {
            let b = byte(i)
            if b == UInt8(ascii: "\"") {
                index = i + 1
                return String(decoding: UnsafeRawBufferPointer(start: base + start, count: i - start), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw controlCharacter(b, at: i) }
            i = b < 0x80 ? i + 1 : try endOfUTF8Sequence(at: i)
        }
        guard i < count else { throw unterminatedString(startingAt: start - 1) }

        var buffer: [UInt8] = []
        buffer.reserveCapacity(i - start + 32)
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: i - start))
        index = i
        while index < count {
            let b = byte(index)
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            } else if b == UInt8(ascii: "\\") {
                try parseEscape(into: &buffer)
            } else if b < 0x20 {
                throw controlCharacter(b, at: index)
            } else if b < 0x80 {
                buffer.append(b)
                index += 1
            } else {
                let end = try endOfUTF8Sequence(at: index)
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + index, count: end - index))
                index = end
            }
        }
        throw unterminatedString(startingAt: start - 1)
    }

    /// Decodes the escape at `index` (a backslash) and appends its UTF-8 bytes.
    private mutating func parseEscape(into buffer: inout [UInt8]) throws {
        let escapeStart = index
        index += 1
        guard index < count else { throw endOfInput(expecting: "an escape character after '\\'") }
        let e = byte(index)
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(e)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            var scalarValue = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < count, byte(index) == UInt8(ascii: "\\"), byte(index + 1) == UInt8(ascii: "u") else {
                    throw JSONParseError(.invalidEscape, offset: escapeStart,
                                         message: "\\u\(hex(unit)) is a high surrogate that is not followed by a \\u low surrogate")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(.invalidEscape, offset: escapeStart,
                                         message: "\\u\(hex(unit)) is a high surrogate followed by \\u\(hex(low)), which is not a low surrogate")
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONParseError(.invalidEscape, offset: escapeStart,
                                     message: "\\u\(hex(unit)) is a low surrogate without a high surrogate before it")
            }
            appendUTF8(scalarValue, to: &buffer)
        default:
            throw JSONParseError(.invalidEscape, offset: escapeStart,
                                 message: "\\\(describeEscaped(e)) is not a JSON escape; allowed are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func parseHex4() throws -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard index < count else { throw endOfInput(expecting: "four hex digits after \\u") }
            let b = byte(index)
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default:
                throw JSONParseError(.invalidEscape, offset: index,
                                     message: "\\u must be followed by four hex digits; found \(describe(b))")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ v: UInt32, to buffer: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            buffer.append(UInt8(v))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | (v >> 6)))
            buffer.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | (v >> 12)))
            buffer.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (v & 0x3F)))
        default:
            buffer.append(UInt8(0xF0 | (v >> 18)))
            buffer.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            buffer.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Checks the multi-byte UTF-8 sequence starting at `i` (RFC 3629: no overlong forms, no
    /// surrogates, nothing above U+10FFFF) and returns the offset just after it.
    func endOfUTF8Sequence(at i: Int) throws -> Int {
        let lead = byte(i)
        var length = 0
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default:
            throw JSONParseError(.invalidUTF8, offset: i, message: "invalid UTF-8: byte 0x\(hex(UInt16(lead))) cannot start a character")
        }
        guard i + length <= count else {
            throw JSONParseError(.invalidUTF8, offset: i, message: "invalid UTF-8: the document ends inside a multi-byte character")
        }
        let second = byte(i + 1)
        guard second >= secondLow, second <= secondHigh else {
            throw JSONParseError(.invalidUTF8, offset: i + 1,
                                 message: "invalid UTF-8: byte 0x\(hex(UInt16(second))) cannot follow 0x\(hex(UInt16(lead))) (overlong, surrogate or truncated character)")
        }
        var k = 2
        while k < length {
            let next = byte(i + k)
            guard next & 0xC0 == 0x80 else {
                throw JSONParseError(.invalidUTF8, offset: i + k,
                                     message: "invalid UTF-8: byte 0x\(hex(UInt16(next))) is not a continuation byte")
            }
            k += 1
        }
        return i + length
    }

    private func controlCharacter(_ b: UInt8, at offset: Int) -> JSONParseError {
        JSONParseError(.controlCharacterInString, offset: offset,
                       message: "control character 0x\(hex(UInt16(b))) inside a string must be escaped (e.g. \\n, \\u00\(hex(UInt16(b))))")
    }

    private func unterminatedString(startingAt offset: Int) -> JSONParseError {
        JSONParseError(.unexpectedEnd, offset: count, message: "the string that starts at byte \(offset) is never closed (truncated?)")
    }

    private func describeEscaped(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? String(Character(Unicode.Scalar(b))) : "<byte 0x\(hex(UInt16(b)))>"
    }

    func hex(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        let width = v > 0xFF ? 4 : 2
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
