import Foundation

/// What TLS serving needs from the cluster's PKI when no `--tls-cert-file` is given: the serving
/// certificate with the names clients reach the API by, and the admin's client certificate
/// (kubeadm's `admin.conf`: CN kubernetes-admin, O system:masters) for the kubeconfig Kubelite writes.
public enum APIServerCertificates {
    /// kubeadm's serving names: the host's own, the `kubernetes` Service's ClusterIP and DNS names.
    public static func servingNames(bindAddress: String, serviceIP: String?, clusterDomain: String) -> (dnsNames: [String], ipAddresses: [String]) {
        var dnsNames = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "kubernetes.default.svc.\(clusterDomain)"]
        var ipAddresses = ["127.0.0.1"]
        for address in [bindAddress, serviceIP].compactMap({ $0 }) where !ipAddresses.contains(address) {
            if ClusterCertificateAuthority.ipv4Octets(address) != nil {
                // The wildcard is not an address a client dials.
                if address != "0.0.0.0" { ipAddresses.append(address) }
            } else if !address.isEmpty, !dnsNames.contains(address) {
                dnsNames.append(address)
            }
        }
        return (dnsNames, ipAddresses)
    }

    /// The serving certificate `pki/apiserver.crt` (CN kube-apiserver, as kubeadm's).
    public static func serving(directory: String?, authority: ClusterCertificateAuthority, bindAddress: String,
                               serviceIP: String?, clusterDomain: String, now: Date = Date()) throws -> IssuedCertificate {
        let names = servingNames(bindAddress: bindAddress, serviceIP: serviceIP, clusterDomain: clusterDomain)
        return try LeafCertificateFile.loadOrIssue(name: "apiserver", directory: directory, authority: authority,
                                                   commonName: "kube-apiserver",
                                                   usage: .server(dnsNames: names.dnsNames, ipAddresses: names.ipAddresses), now: now)
    }

    /// The admin's client certificate `pki/admin.crt`.
    public static func admin(directory: String?, authority: ClusterCertificateAuthority, now: Date = Date()) throws -> IssuedCertificate {
        try LeafCertificateFile.loadOrIssue(name: "admin", directory: directory, authority: authority,
                                            commonName: "kubernetes-admin", organizations: ["system:masters"], usage: .client, now: now)
    }
}
