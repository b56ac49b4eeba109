import CCurl

/// The libcurl this process runs with, and the oldest one scraper accepts.
///
/// S3 requests are signed by libcurl's AWS SigV4 (`CURLOPT_AWS_SIGV4`), which signs every `x-amz-*`
/// header (the SHA-256 metadata, the session token) only from 7.86.0; an older libcurl would send
/// requests that S3 refuses, or worse, accepts with headers unsigned.
public enum LibcurlVersion {
    /// 7.86.0, as curl's packed `major << 16 | minor << 8 | patch`.
    public static let minimum: UInt32 = 0x07_56_00

    /// The running libcurl's packed number and its text (e.g. `7.88.1`). (`CURLVERSION_NOW` is a C macro
    /// Swift does not import; 7.88 defines it as `CURLVERSION_ELEVENTH`, and the fields read here exist in every age.)
    public static var running: (number: UInt32, text: String) {
        guard let info = curl_version_info(CURLVERSION_ELEVENTH) else { return (0, "unknown") }
        return (UInt32(info.pointee.version_num), info.pointee.version.map { String(cString: $0) } ?? "unknown")
    }

    /// Nil when `number` is new enough; otherwise what is wrong and how to fix it.
    public static func problem(number: UInt32, text: String) -> String? {
        guard number < minimum else { return nil }
        return "libcurl \(text) is too old: scraper signs S3 requests with libcurl's AWS Signature V4, which signs every "
            + "header only from libcurl 7.86.0; install libcurl 7.86 or newer (Debian 12 ships 7.88.1: apt-get install libcurl4)"
    }
}
