import Foundation

/// The body of a remote transcoder's POST /transcodeResults: `multipart/mixed`, one part per rendition in the
/// task's profile order, each part `Content-Type: video/MP2T` with a `Pixels: N` header (as go-livepeer's).
/// A failed task is posted instead with `Content-Type: application/vnd+livepeer.transcode-error` and the reason
/// as the body.
public enum RenditionMultipart {
    /// More pixels than any one rendition of a segment can have (2^48: 8K at 240 fps for over 4 hours); a
    /// count above it is refused as a lie, which also keeps every sum of counts far from overflowing Int64.
    public static let maxPixels: Int64 = 1 << 48

    /// The content type of a failed task's body.
    public static let errorContentType = "application/vnd+livepeer.transcode-error"

    /// One part: a rendition's bytes and its pixel count.
    public struct Part: Sendable, Equatable {
        public let pixels: Int64
        public let bytes: [UInt8]
        public init(pixels: Int64, bytes: [UInt8]) {
            self.pixels = pixels
            self.bytes = bytes
        }
    }

    /// Why a body could not be read.
    public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
        case notMultipart(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .notMultipart(let type): "the content type \"\(type)\" is not multipart/mixed with a boundary"
            case .malformed(let why): "malformed multipart body: \(why)"
            }
        }
    }

    /// The body and its Content-Type header (with a random boundary that no part contains).
    public static func encode(_ parts: [Part]) -> (contentType: String, body: [UInt8]) {
        var boundary = "streamflow-" + UUID().uuidString
        while parts.contains(where: { contains($0.bytes, Array(boundary.utf8)) }) { boundary = "streamflow-" + UUID().uuidString }
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\nContent-Type: video/MP2T\r\nPixels: \(part.pixels)\r\n\r\n".utf8)
            body += part.bytes
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/mixed; boundary=\(boundary)", body)
    }

    /// The parts of `body` sent with `contentType`, in order.
    public static func decode(_ body: [UInt8], contentType: String) throws(DecodeError) -> [Part] {
        guard contentType.lowercased().hasPrefix("multipart/mixed"),
              let range = contentType.range(of: "boundary=") else { throw .notMultipart(contentType) }
        let boundary = contentType[range.upperBound...].prefix { $0 != ";" }.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty else { throw .notMultipart(contentType) }
        let delimiter = Array("--\(boundary)".utf8)
        guard var cursor = find(delimiter, in: body, from: 0) else { throw .malformed("no opening boundary") }
        var parts: [Part] = []
        while true {
            cursor += delimiter.count
            if body[cursor..<min(body.count, cursor + 2)].elementsEqual(Array("--".utf8)) { return parts }
            guard let headersEnd = find(Array("\r\n\r\n".utf8), in: body, from: cursor) else {
                throw .malformed("part \(parts.count) has no end of headers")
            }
            let headers = String(decoding: body[cursor..<headersEnd], as: UTF8.self)
            let start = headersEnd + 4
            guard let next = find(Array("\r\n".utf8) + delimiter, in: body, from: start) else {
                throw .malformed("part \(parts.count) has no closing boundary")
            }
            guard let pixels = header("Pixels", in: headers).flatMap({ Int64($0) }), pixels >= 0 else {
                throw .malformed("part \(parts.count) has no Pixels header")
            }
            guard pixels <= Self.maxPixels else {
                throw .malformed("part \(parts.count) claims \(pixels) pixels, more than any segment has (\(Self.maxPixels))")
            }
            parts.append(Part(pixels: pixels, bytes: Array(body[start..<next])))
            cursor = next + 2
        }
    }

    private static func header(_ name: String, in headers: String) -> String? {
        for line in headers.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            let pieces = line.split(separator: ":", maxSplits: 1)
            if pieces.count == 2, pieces[0].trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(name) == .orderedSame {
                return pieces[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool { find(needle, in: haystack, from: 0) != nil }

    /// The index of the first occurrence of `needle` in `haystack` at or after `from`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
