import ArgumentParser
import Transcoding

/// `streamflow pixels FILE`: decode a rendition and count its frames and pixels (what a broadcaster checks
/// against the count an orchestrator reported and was paid for).
struct PixelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixels", abstract: "Decode a video file and print its frames and Σ width·height.")

    @Argument(help: "The file (a rendition segment, or any video).") var file: String

    func run() throws {
        LibavLog.errorsOnly()
        let count = try PixelCounter.count(path: file)
        print("frames \(count.frames), pixels \(count.pixels), last frame \(count.width)x\(count.height)")
    }
}
