import Foundation
import Crypto
import SwiftASN1
import X509
public import NIOSSL

/// The certificate and key an orchestrator serves TLS with (gRPC and the HTTP edge), as PEM. Without files
/// given, a fresh self-signed P-256 certificate is made at start, as go-livepeer does: broadcasters and
/// transcoders do not verify it (results are authenticated by the orchestrator's Ethereum signature).
public struct TLSIdentity: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// Reads a PEM certificate (chain) and key from files.
    public init(certificateFile: String, keyFile: String) throws(TLSIdentityError) {
        guard let certificate = try? String(contentsOfFile: certificateFile, encoding: .utf8) else { throw .unreadable(certificateFile) }
        guard let key = try? String(contentsOfFile: keyFile, encoding: .utf8) else { throw .unreadable(keyFile) }
        self.init(certificatePEM: certificate, privateKeyPEM: key)
    }

    /// A self-signed server certificate for `hosts` (DNS names or IP addresses), valid from an hour ago for
    /// `days` days.
    public static func selfSigned(hosts: [String], days: Int = 365) throws(TLSIdentityError) -> TLSIdentity {
        do {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName {
                OrganizationName("Streamflow")
                CommonName(hosts.first ?? "streamflow")
            }
            let names = hosts.map { host in
                ipAddressBytes(host).map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) } ?? .dnsName(host)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            }
            let now = Date()
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key))
            return TLSIdentity(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation)
        } catch {
            throw .generation("\(error)")
        }
    }

    /// The certificate chain as NIOSSL reads it.
    public func certificates() throws(TLSIdentityError) -> [NIOSSLCertificate] {
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)), !chain.isEmpty else {
            throw .unreadable("the certificate PEM")
        }
        return chain
    }

    /// The private key as NIOSSL reads it.
    public func privateKey() throws(TLSIdentityError) -> NIOSSLPrivateKey {
        guard let key = try? NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem) else { throw .unreadable("the key PEM") }
        return key
    }

    /// A NIOSSL server configuration serving this identity (the HTTP edge's): TLS 1.2 and later, and on 1.2 only
    /// the ECDHE key exchanges with AEAD ciphers (`modernCipherSuites`; TLS 1.3's suites are all AEAD).
    public func serverConfiguration() throws(TLSIdentityError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: try certificates().map { .certificate($0) },
                                                                     privateKey: .privateKey(try privateKey()))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = Self.modernCipherSuites
        return configuration
    }

    /// The TLS 1.2 suites served: forward-secret (ECDHE) with authenticated encryption (GCM, ChaCha20-Poly1305).
    public static let modernCipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// An IPv4 or IPv6 literal's bytes, nil for a DNS name.
    static func ipAddressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Why a TLS identity could not be made or read.
public enum TLSIdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case generation(String)

    public var description: String {
        switch self {
        case .unreadable(let what): "cannot read \(what) as PEM"
        case .generation(let why): "cannot make a self-signed certificate: \(why)"
        }
    }
}
