import Foundation
import TestSupport
import XCTest

/// Shell completion and the man page, as the README documents them: the built binary's completion
/// scripts are accepted by bash, zsh and fish and complete our commands; `docs/man/scraper.1` renders
/// without warnings and names every command and option the binary has (so a stale page fails).
final class CompletionAndManualTests: XCTestCase {
    private let scraper = TestPaths.product("scraper")

    private func completionScript(_ shell: String) throws -> URL {
        let result = try runCommand(scraper, ["--generate-completion-script", shell], timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        let file = TestPaths.temporaryDirectory("completion-\(shell)").appendingPathComponent("scraper.\(shell)")
        try Data(result.stdout.utf8).write(to: file)
        return file
    }

    func testTheReadmeDocumentsCompletionForEachShell() throws {
        let readme = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for shell in ["bash", "zsh", "fish"] {
            XCTAssertTrue(readme.contains("scraper --generate-completion-script \(shell) >"), "README: how to install \(shell) completion")
        }
        XCTAssertTrue(readme.contains("man ./docs/man/scraper.1"), "README: how to read the man page")
    }

    func testBashCompletesCommandsAndOptions() throws {
        guard let bash = TestPaths.which("bash") else { throw XCTSkip("bash is not installed") }
        let script = try completionScript("bash")
        XCTAssertEqual(try runCommand(bash, ["-n", script.path]).status, 0, "bash accepts the script")
        // bash-completion turns extglob on; the completion function is called as bash calls it.
        let driver = """
        shopt -s extglob
        source "$1"
        ask() { COMPREPLY=(); COMP_LINE="$1"; COMP_POINT=${#1}; read -ra COMP_WORDS <<< "$1"
                [[ "$1" == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                _scraper scraper "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
        ask "scraper ex"
        ask "scraper export --fo"
        ask "scraper registry w"
        ask "scraper run --dry"
        """
        let result = try runCommand(bash, ["-c", driver, "driver", script.path], timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").map(String.init), ["export", "--format", "why", "--dry-run"], result.stderr)
    }

    func testZshAndFishAcceptTheirScriptsAndFishCompletesCommands() throws {
        guard let zsh = TestPaths.which("zsh"), let fish = TestPaths.which("fish") else {
            throw XCTSkip("zsh and fish are not installed (scripts/install-deps.sh installs them)")
        }
        let zshScript = try completionScript("zsh")
        let zshCheck = try runCommand(zsh, ["-n", zshScript.path], timeout: 30)
        XCTAssertEqual(zshCheck.status, 0, zshCheck.stderr)
        XCTAssertTrue(try String(contentsOf: zshScript, encoding: .utf8).hasPrefix("#compdef scraper"))

        let fishScript = try completionScript("fish")
        let fishCheck = try runCommand(fish, ["--no-execute", fishScript.path], timeout: 30)
        XCTAssertEqual(fishCheck.status, 0, fishCheck.stderr)
        let env = ["HOME": TestPaths.temporaryDirectory("fish-home").path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let asked = try runCommand(fish, ["--no-config", "-c", "source \(fishScript.path); complete -C 'scraper ex'; complete -C 'scraper schedule '"],
                                   environment: env, timeout: 30)
        XCTAssertEqual(asked.status, 0, asked.stderr)
        let offered = asked.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        XCTAssertTrue(offered.contains("export"), asked.stdout)
        XCTAssertTrue(offered.contains("status") && offered.contains("reset"), asked.stdout)
    }

    /// Every visible command path and long option of the built binary (its `--experimental-dump-help`).
    private func commandsAndOptions() throws -> (commands: [String], options: Set<String>) {
        let dump = try runCommand(scraper, ["--experimental-dump-help"], timeout: 30)
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var commands: [String] = [], options: Set<String> = []
        func walk(_ command: [String: Any], _ path: [String]) {
            commands.append(path.joined(separator: " "))
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool ?? true {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let n = name["name"] as? String { options.insert(n) }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                if let name = sub["commandName"] as? String, name != "help" { walk(sub, path + [name]) }
            }
        }
        walk(try XCTUnwrap(root["command"] as? [String: Any]), ["scraper"])
        return (commands, options)
    }

    func testTheManPageRendersCleanlyAndNamesEveryCommandAndOption() throws {
        guard let man = TestPaths.which("man") else { throw XCTSkip("man is not installed (Debian package man-db)") }
        let page = TestPaths.packageRoot.appendingPathComponent("docs/man/scraper.1")
        let source = try String(contentsOf: page, encoding: .utf8)
        XCTAssertTrue(source.contains(".Dt SCRAPER 1"), "section 1")
        // As a reader sees it: man renders it with groff's warnings on, and prints none.
        let rendered = try runCommand(man, ["--warnings", "-l", page.path], environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100",
                                                                                         "PATH": "/usr/bin:/bin"], timeout: 30)
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        XCTAssertEqual(rendered.stderr, "", "man's warnings")
        XCTAssertTrue(rendered.stdout.contains("SCRAPER(1)"), rendered.stdout.prefix(300).description)

        // Current: every command (listed by its name under its parent) and every option of the built binary.
        let (commands, options) = try commandsAndOptions()
        XCTAssertGreaterThan(commands.count, 15, "\(commands)")
        for command in commands.dropFirst() {
            let leaf = command.split(separator: " ").last.map(String.init) ?? command
            XCTAssertTrue(source.contains(".It Em \(leaf)\n"), "the man page lacks `\(command)`: regenerate it with scripts/generate-manual.sh")
        }
        for option in options.sorted() {
            XCTAssertTrue(source.contains("Fl -\(option)"), "the man page lacks --\(option): regenerate it with scripts/generate-manual.sh")
        }
    }
}
