import CollectionFramework
import Foundation
import TestSupport
import XCTest
import Yams

/// The Dockerfile and the Kubernetes manifests that use its image, checked as far as a machine without a
/// Docker engine can: the runtime stage provides every library the built binary links (and the check
/// fails when a package is missing), the stages are shaped as documented, and the pods run as the
/// image's non-root user under an IRSA service account with Kafka optional.
final class DockerImageTests: XCTestCase {
    let root = TestPaths.packageRoot
    var script: String { root.appendingPathComponent("scripts/check-runtime-libraries.sh").path }

    private func dockerfile() throws -> String {
        try String(contentsOf: root.appendingPathComponent("Dockerfile"), encoding: .utf8)
    }

    func testTheRuntimeStageProvidesEveryLibraryTheBinaryLinksAndTheCheckNamesAMissingOne() throws {
        guard TestPaths.which("dpkg") != nil, TestPaths.which("apt-cache") != nil else { throw XCTSkip("not a Debian machine (dpkg, apt-cache)") }
        // A debug build links the toolchain's Swift runtime, which the release build links statically.
        let ok = try runCommand("/bin/bash", [script, "--allow-swift-runtime", TestPaths.product("scraper")], timeout: 120)
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("ok: all "), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("librdkafka1") && ok.stdout.contains("libhiredis0.14"), ok.stdout)

        // Without --allow-swift-runtime a debug binary is refused: the check looks at every library.
        let strict = try runCommand("/bin/bash", [script, TestPaths.product("scraper")], timeout: 120)
        XCTAssertEqual(strict.status, 1, strict.stdout)
        XCTAssertTrue(strict.stdout.contains("libswiftCore.so is the Swift toolchain's; build with --static-swift-stdlib"), strict.stdout)

        // A runtime stage that forgets librdkafka1 is caught, with the package to add.
        let dir = TestPaths.temporaryDirectory("docker")
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("Dockerfile")
        let text = try dockerfile()
        let lastFrom = try XCTUnwrap(text.range(of: "\nFROM ", options: .backwards))
        try Data((text[..<lastFrom.upperBound] + text[lastFrom.upperBound...].replacingOccurrences(of: " librdkafka1", with: "")).utf8).write(to: broken)
        let missing = try runCommand("/bin/bash", [script, "--allow-swift-runtime", TestPaths.product("scraper"), broken.path], timeout: 120)
        XCTAssertEqual(missing.status, 1, missing.stdout)
        XCTAssertTrue(missing.stdout.contains("librdkafka.so.1 comes from librdkafka1") && missing.stdout.contains("add librdkafka1"), missing.stdout)
    }

    func testTheDockerfileIsMultiStageStaticNonRootWithEntrypointHealthcheckAndManPage() throws {
        let text = try dockerfile()
        let froms = text.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        XCTAssertEqual(froms.count, 2, "a build stage and a runtime stage")
        XCTAssertTrue(froms.first?.contains(" AS build") == true)
        XCTAssertEqual(froms.last, "FROM debian:bookworm-slim")
        XCTAssertTrue(text.contains("swift build -c release --static-swift-stdlib --product scraper"))
        let runtime = String(text[try XCTUnwrap(text.range(of: "FROM debian:bookworm-slim")).lowerBound...])
        XCTAssertFalse(runtime.contains("-dev"), "no -dev packages at run time")
        let user = try XCTUnwrap(runtime.split(separator: "\n").last { $0.hasPrefix("USER ") })
        XCTAssertFalse(user.contains("root") || user.hasPrefix("USER 0"), String(user))
        XCTAssertTrue(runtime.contains("ENTRYPOINT [\"scraper\"]"))
        XCTAssertTrue(runtime.contains("HEALTHCHECK") && runtime.contains("/healthz"))
        XCTAssertTrue(runtime.contains(String(ServeSettings.defaultPort)), "the healthcheck asks serve's default port")
        XCTAssertTrue(text.contains("docs/man/scraper.1 /out/usr/local/share/man/man1/scraper.1"), "the man page is installed")
        // Every file the build copies exists, so `docker build .` does not stop at a COPY.
        for line in text.split(separator: "\n") where line.hasPrefix("COPY ") && !line.contains("--from=") {
            let parts = line.split(separator: " ").dropFirst().dropLast()
            for source in parts {
                XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(String(source)).path), "COPY \(source)")
            }
        }
        let ignore = try String(contentsOf: root.appendingPathComponent(".dockerignore"), encoding: .utf8)
        XCTAssertTrue(ignore.split(separator: "\n").contains(".build"), "the build context leaves .build out")
    }

    func testThePodsRunAsTheImagesUserUnderAnIRSAServiceAccountWithKafkaOptional() throws {
        func load(_ name: String) throws -> [[String: Any]] {
            try Yams.load_all(yaml: String(contentsOf: root.appendingPathComponent("deploy/kubernetes/\(name)"), encoding: .utf8))
                .compactMap { $0 as? [String: Any] }
        }
        let account = try XCTUnwrap(try load("serviceaccount.yaml").first { $0["kind"] as? String == "ServiceAccount" })
        let metadata = try XCTUnwrap(account["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["name"] as? String, "scraper")
        let role = try XCTUnwrap((metadata["annotations"] as? [String: Any])?["eks.amazonaws.com/role-arn"] as? String)
        XCTAssertTrue(role.hasPrefix("arn:aws:iam::"), role)

        let deployment = try XCTUnwrap(try load("deployment.yaml").first { $0["kind"] as? String == "Deployment" })
        let cronJob = try XCTUnwrap(try load("cronjob.yaml").first)
        let deploymentPod = try XCTUnwrap(((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let jobTemplate = try XCTUnwrap(((cronJob["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
        let jobPod = try XCTUnwrap((jobTemplate["template"] as? [String: Any])?["spec"] as? [String: Any])
        for (name, pod) in [("deployment", deploymentPod), ("cronjob", jobPod)] {
            XCTAssertEqual(pod["serviceAccountName"] as? String, "scraper", name)
            let security = try XCTUnwrap(pod["securityContext"] as? [String: Any], name)
            XCTAssertEqual(security["runAsNonRoot"] as? Bool, true, name)
            XCTAssertEqual(security["runAsUser"] as? Int, 10001, "the Dockerfile's user: \(name)")
            let container = try XCTUnwrap((pod["containers"] as? [[String: Any]])?.first, name)
            let env = container["env"] as? [[String: Any]] ?? []
            XCTAssertFalse(env.contains { ($0["name"] as? String)?.hasPrefix("AWS_ACCESS_KEY") == true || ($0["name"] as? String) == "AWS_SECRET_ACCESS_KEY" },
                           "no static AWS keys: IRSA provides credentials (\(name))")
            let kafka = try XCTUnwrap(env.first { $0["name"] as? String == "KAFKA_CONNECTION_STRING" }, name)
            let secretRef = ((kafka["valueFrom"] as? [String: Any])?["secretKeyRef"] as? [String: Any])
            XCTAssertEqual(secretRef?["optional"] as? Bool, true, "Kafka is optional: \(name)")
        }
    }
}
