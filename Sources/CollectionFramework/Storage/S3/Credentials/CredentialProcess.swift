import BlockingIO
import Foundation

/// A profile's `credential_process`: a command whose standard output is a JSON credentials document
/// (`Version: 1`, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken` and `Expiration`). It is run
/// by `/bin/sh -c`, on the blocking pool.
struct CredentialProcess: Sendable {
    let command: String
    let profile: String

    func fetch() async throws -> ExpiringCredentials {
        let command = self.command, profile = self.profile
        let (status, output, errors) = try await BlockingIOPool.shared.run { () throws -> (Int32, Data, String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let stdout = Pipe(), stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            process.standardInput = FileHandle.nullDevice
            try ProcessLaunch.run(process)
            let output = stdout.fileHandleForReading.readDataToEndOfFile()
            let errors = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, output, String(decoding: errors.prefix(500), as: UTF8.self))
        }
        let source = "credential_process of profile \(profile)"
        guard status == 0 else {
            throw S3ConfigurationError.credentialSourceFailed(source: source, detail: "the command exited \(status): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let credentials = TemporaryCredentialsDocument.parse(output, source: .process(profile: profile)) else {
            throw S3ConfigurationError.credentialSourceFailed(source: source, detail:
                "its output is not a credentials document ({\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …})")
        }
        return credentials
    }
}
