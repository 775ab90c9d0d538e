import ArgumentParser
import Foundation
import NativeLibraries

/// `streamflow version`: this build and the C libraries it runs against.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the version and the linked C libraries.")

    func run() {
        print("streamflow \(StreamflowVersion.current)")
        for library in NativeLibraries.versions() {
            print("  \(library.name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(library.version)")
        }
    }
}

/// The release this source tree describes.
enum StreamflowVersion {
    static let current = "0.1.0"
}
