import Testing
@testable import Transcoding

/// The GPU encoder is chosen only when it opens; without a GPU (as on these machines) libx264 is used.
@Suite("encoder choice")
struct EncoderChoiceTests {
    @Test("detect falls back to libx264 when h264_nvenc does not open, and --cpu never probes")
    func fallback() {
        let detected = EncoderOptions.detect(preferGPU: true, preset: "veryfast")
        if GPUProbe.nvencWorks() {
            #expect(detected.encoder == .nvenc)
        } else {
            #expect(detected == EncoderOptions(encoder: .libx264, preset: "veryfast"))
        }
        #expect(EncoderOptions.detect(preferGPU: false, preset: "fast") == EncoderOptions(encoder: .libx264, preset: "fast"))
    }
}
