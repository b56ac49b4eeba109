/// Number parsing: RFC 8259 grammar checked byte by byte; values with at most 19 significant digits
/// and a small exponent are converted exactly with one IEEE operation (Clinger's fast path), the
/// rest by the standard library's correctly rounded conversion.
extension JSONByteReader {
    /// Powers of ten that a `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool {
        b &- UInt8(ascii: "0") < 10
    }

    /// Parses the number starting at `index` (a `-` or a digit).
    mutating func parseNumber() throws -> Double {
        let start = index
        var i = index
        let negative = byte(i) == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < count else { throw endOfInput(expecting: "a digit after '-'") }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        var exponent = 0

        let first = byte(i)
        if first == UInt8(ascii: "0") {
            i += 1
            if i < count, isDigit(byte(i)) {
                throw JSONParseError(.invalidNumber, offset: start, message: "numbers may not have leading zeros (\(numberText(start, i + 1))…)")
            }
        } else if isDigit(first) {
            while i < count, isDigit(byte(i)) {
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(byte(i) &- UInt8(ascii: "0"))
                    significantDigits += 1
                } else {
                    exponent += 1
                    droppedDigits = true
                }
                i += 1
            }
        } else {
            index = i
            var error = unexpected(first, expecting: "a digit after '-'")
            if first == UInt8(ascii: "I") { error.message += "; -Infinity is not allowed in JSON" }
            throw error
        }

        if i < count, byte(i) == UInt8(ascii: ".") {
            i += 1
            guard i < count, isDigit(byte(i)) else {
                throw JSONParseError(.invalidNumber, offset: start, message: "a decimal point must be followed by a digit (\(numberText(start, i)))")
            }
            while i < count, isDigit(byte(i)) {
                let digit = UInt64(byte(i) &- UInt8(ascii: "0"))
                if mantissa == 0, digit == 0 {
                    exponent -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    significantDigits += 1
                    exponent -= 1
                } else {
                    droppedDigits = true
                }
                i += 1
            }
        }

        if i < count, byte(i) | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < count, byte(i) == UInt8(ascii: "-") || byte(i) == UInt8(ascii: "+") {
                exponentNegative = byte(i) == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, isDigit(byte(i)) else {
                throw JSONParseError(.invalidNumber, offset: start, message: "an exponent must have digits (\(numberText(start, i)))")
            }
            var written = 0
            while i < count, isDigit(byte(i)) {
                if written < 1_000_000 { written = written * 10 + Int(byte(i) &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += exponentNegative ? -written : written
        }
        index = i

        if !droppedDigits, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 {
                value /= Self.exactPowersOfTen[-exponent]
            } else if exponent > 0 {
                value *= Self.exactPowersOfTen[exponent]
            }
            if value.isFinite { return negative ? -value : value }
        }
        let text = numberText(start, i)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(.numberOutOfRange, offset: start,
                                 message: "the number \(text.prefix(40)) does not fit in a 64-bit float (largest is about 1.8e308)")
        }
        return value
    }

    private func numberText(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: base + from, count: min(to, count) - from), as: UTF8.self)
    }
}
