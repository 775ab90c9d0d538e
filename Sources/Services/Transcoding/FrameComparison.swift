import Foundation
internal import CFFmpeg

/// Compares two renditions of the same segment frame by frame on the luma plane: the PSNR a broadcaster
/// uses to check one orchestrator's result against a second opinion (two honest x264 encodes of one source
/// agree to well above 30 dB; a different or corrupted picture falls far below).
public enum FrameComparison {
    /// The comparison: frames compared, and the mean PSNR in dB (`.infinity` when identical).
    public struct Result: Sendable, Equatable {
        public let frames: Int
        public let psnr: Double
    }

    /// Mean luma PSNR over the frames both files have (in order). The files must have the same dimensions.
    public static func psnr(_ first: String, _ second: String) throws(TranscodeError) -> Result {
        var planes: [[UInt8]] = []
        var size = (0, 0)
        try DecodedFrames.forEach(path: first) { frame throws(TranscodeError) in
            size = (Int(frame.pointee.width), Int(frame.pointee.height))
            planes.append(try luma(frame))
        }
        var index = 0
        var total = 0.0
        try DecodedFrames.forEach(path: second) { frame throws(TranscodeError) in
            guard index < planes.count else { return }
            guard (Int(frame.pointee.width), Int(frame.pointee.height)) == size else {
                throw .incomparable("frame sizes differ: \(size.0)x\(size.1) and \(frame.pointee.width)x\(frame.pointee.height)")
            }
            total += framePSNR(planes[index], try luma(frame))
            index += 1
        }
        guard index > 0 else { throw .incomparable("no frames to compare") }
        return Result(frames: index, psnr: total / Double(index))
    }

    /// The luma plane of an 8-bit planar YUV frame, row by row without padding.
    private static func luma(_ frame: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) -> [UInt8] {
        let format = frame.pointee.format
        guard [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_NV12]
            .map({ $0.rawValue }).contains(format), let data = frame.pointee.data.0 else {
            throw .incomparable("pixel format \(format) is not 8-bit planar YUV")
        }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height), stride = Int(frame.pointee.linesize.0)
        var plane = [UInt8](repeating: 0, count: width * height)
        plane.withUnsafeMutableBufferPointer { out in
            for row in 0..<height { (out.baseAddress! + row * width).update(from: data + row * stride, count: width) }
        }
        return plane
    }

    /// 10·log10(255² / MSE), capped at 100 dB for identical frames (so a mean stays finite).
    static func framePSNR(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var sum: UInt64 = 0
        for index in 0..<min(a.count, b.count) {
            let difference = Int(a[index]) - Int(b[index])
            sum += UInt64(difference * difference)
        }
        guard sum > 0 else { return 100 }
        let mse = Double(sum) / Double(min(a.count, b.count))
        return min(100, 10 * log10(255 * 255 / mse))
    }
}
