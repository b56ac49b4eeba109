/// S3 bucket naming rules (3-63 lowercase letters, digits, '.' and '-'; starts and ends with a
/// letter or digit; no '..'), checked wherever a bucket name comes in — flag, variable or YAML —
/// before any request.
public enum S3BucketName {
    public static func isValid(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" } && !name.contains("..")
    }

    /// Why `name` is refused, naming where it came from.
    public static func problem(_ name: String, source: String) -> String {
        "\(source) \(name.debugDescription) is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)"
    }
}
