import Foundation
import XCTest
@testable import APIMachinery

/// Bodies captured from kubectl 1.32 (`Content-Type: application/vnd.kubernetes.protobuf`), each
/// compared with the JSON kubectl prints for the same command with `--dry-run=client -o json`:
/// the JSON body a JSON client would have sent. Key order is compared too (Go struct order).
final class ProtobufKubectlBodyTests: XCTestCase {
    struct Fixture {
        var name: String
        var body: String
        var json: String
    }

    static let fixtures: [Fixture] = [
        // kubectl create configmap a --from-literal=k=v
        Fixture(name: "configMapFromLiteral",
                body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEhsKEQoBYRIAGgAiACoAMgA4AEIAEgYKAWsSAXYaACIA",
                json: #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","creationTimestamp":null},"data":{"k":"v"}}"#),
        // kubectl create secret generic s --from-literal=p=q
        Fixture(name: "secretGeneric",
                body: "azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAXASAXEaABoAIgA=",
                json: #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"data":{"p":"cQ=="}}"#),
        // kubectl create namespace n
        Fixture(name: "namespace",
                body: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhkKEQoBbhIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==",
                json: #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n","creationTimestamp":null},"spec":{},"status":{}}"#),
        // kubectl create service clusterip web --tcp=80:8080
        Fixture(name: "serviceClusterIP",
                body: "azhzAAoNCgJ2MRIHU2VydmljZRJpCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkIKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABIKCgNhcHASA3dlYhoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==",
                json: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"web"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}"#),
        // kubectl create configmap bin --from-file=blob=<00 01 fe ff "bin"> --from-file=text=<"hello\nworld\n"> --from-literal=empty=
        Fixture(name: "configMapBinary",
                body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEkcKEwoDYmluEgAaACIAKgAyADgAQgASCQoFZW1wdHkSABIUCgR0ZXh0EgxoZWxsbwp3b3JsZAoaDwoEYmxvYhIHAAH+/2JpbhoAIgA=",
                json: #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bin","creationTimestamp":null},"data":{"empty":"","text":"hello\nworld\n"},"binaryData":{"blob":"AAH+/2Jpbg=="}}"#),
        // kubectl create secret generic multi --from-literal=a=1 --from-file=blob=<00 01 fe ff "bin"> --type=Opaque
        Fixture(name: "secretMixed",
                body: "azhzAAoMCgJ2MRIGU2VjcmV0EjgKFQoFbXVsdGkSABoAIgAqADIAOABCABIGCgFhEgExEg8KBGJsb2ISBwAB/v9iaW4aBk9wYXF1ZRoAIgA=",
                json: #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"multi","creationTimestamp":null},"data":{"a":"MQ==","blob":"AAH+/2Jpbg=="},"type":"Opaque"}"#),
        // kubectl create service nodeport np --tcp=5678:8080 --node-port=30080
        Fixture(name: "serviceNodePort",
                body: "azhzAAoNCgJ2MRIHU2VydmljZRJqCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJFCiAKCTU2NzgtODA4MBIDVENQGK4sIgcIABCQPxoAKIDrARIJCgNhcHASAm5wGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=",
                json: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"np","creationTimestamp":null,"labels":{"app":"np"}},"spec":{"ports":[{"name":"5678-8080","protocol":"TCP","port":5678,"targetPort":8080,"nodePort":30080}],"selector":{"app":"np"},"type":"NodePort"},"status":{"loadBalancer":{}}}"#),
        // kubectl create service clusterip headless --clusterip=None
        Fixture(name: "serviceHeadless",
                body: "azhzAAoNCgJ2MRIHU2VydmljZRJfCikKCGhlYWRsZXNzEgAaACIAKgAyADgAQgBaDwoDYXBwEghoZWFkbGVzcxIuEg8KA2FwcBIIaGVhZGxlc3MaBE5vbmUiCUNsdXN0ZXJJUDoAQgBSAFoAYABoABoCCgAaACIA",
                json: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"headless","creationTimestamp":null,"labels":{"app":"headless"}},"spec":{"selector":{"app":"headless"},"clusterIP":"None","type":"ClusterIP"},"status":{"loadBalancer":{}}}"#),
        // kubectl create service externalname ext --external-name=example.com
        Fixture(name: "serviceExternalName",
                body: "azhzAAoNCgJ2MRIHU2VydmljZRJaCh8KA2V4dBIAGgAiACoAMgA4AEIAWgoKA2FwcBIDZXh0EjMSCgoDYXBwEgNleHQaACIMRXh0ZXJuYWxOYW1lOgBCAFILZXhhbXBsZS5jb21aAGAAaAAaAgoAGgAiAA==",
                json: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"ext","creationTimestamp":null,"labels":{"app":"ext"}},"spec":{"selector":{"app":"ext"},"type":"ExternalName","externalName":"example.com"},"status":{"loadBalancer":{}}}"#),
        // kubectl create service loadbalancer lb --tcp=5678:8080 --tcp=443:https
        Fixture(name: "serviceLoadBalancer",
                body: "azhzAAoNCgJ2MRIHU2VydmljZRKQAQodCgJsYhIAGgAiACoAMgA4AEIAWgkKA2FwcBICbGISawoeCgk1Njc4LTgwODASA1RDUBiuLCIHCAAQkD8aACgACiIKCTQ0My1odHRwcxIDVENQGLsDIgsIARAAGgVodHRwcygAEgkKA2FwcBICbGIaACIMTG9hZEJhbGFuY2VyOgBCAFIAWgBgAGgAGgIKABoAIgA=",
                json: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"lb","creationTimestamp":null,"labels":{"app":"lb"}},"spec":{"ports":[{"name":"5678-8080","protocol":"TCP","port":5678,"targetPort":8080},{"name":"443-https","protocol":"TCP","port":443,"targetPort":"https"}],"selector":{"app":"lb"},"type":"LoadBalancer"},"status":{"loadBalancer":{}}}"#),
        // kubectl create secret docker-registry reg --docker-username=u --docker-password=p --docker-server=r.example
        Fixture(name: "secretDockerRegistry",
                body: "azhzAAoMCgJ2MRIGU2VjcmV0EpEBChMKA3JlZxIAGgAiACoAMgA4AEIAEloKES5kb2NrZXJjb25maWdqc29uEkV7ImF1dGhzIjp7InIuZXhhbXBsZSI6eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAiLCJhdXRoIjoiZFRwdyJ9fX0aHmt1YmVybmV0ZXMuaW8vZG9ja2VyY29uZmlnanNvbhoAIgA=",
                json: #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"reg","creationTimestamp":null},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJyLmV4YW1wbGUiOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19"},"type":"kubernetes.io/dockerconfigjson"}"#),
        // kubectl -n n create configmap labelled --from-literal=x=y
        Fixture(name: "configMapInNamespace",
                body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiMKGQoIbGFiZWxsZWQSABoBbiIAKgAyADgAQgASBgoBeBIBeRoAIgA=",
                json: #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"labelled","namespace":"n","creationTimestamp":null},"data":{"x":"y"}}"#),
    ]

    func testCapturedKubectlBodiesDecodeToKubectlsJSON() throws {
        for fixture in Self.fixtures {
            let body = try XCTUnwrap(Data(base64Encoded: fixture.body), fixture.name)
            let decoded = try KubernetesProtobuf.decode(Array(body))
            let expected = try JSONParser.parse(fixture.json).value
            XCTAssertEqual(decoded, expected, "\(fixture.name): \(JSONWriter.encodeString(decoded))")
        }
    }

    /// `kubectl debug pod/p --copy-to=p2 --image=busybox --share-processes -- sleep 1` sends a whole
    /// defaulted Pod: inlined volume sources, projected volumes, pointer fields set to zero
    /// (`priority: 0`), value fields left zero and so omitted, an empty status.
    static let debugPodCopy = "azhzAAoJCgJ2MRIDUG9kEuYEChkKAnAyEgAaB2RlZmF1bHQiACoAMgA4AEIAErYECoQBChVrdWJlLWFwaS1hY2Nlc3MtdGw0c2MSa9IBaAoOIgwKABCXHBoFdG9rZW4KKBomChIKEGt1YmUtcm9vdC1jYS5jcnQSEAoGY2EuY3J0EgZjYS5jcnQKKRInCiUKCW5hbWVzcGFjZRIYCgJ2MRISbWV0YWRhdGEubmFtZXNwYWNlEKQDEooBCgFwEgVyZWRpcyoAQgBKTAoVa3ViZS1hcGktYWNjZXNzLXRsNHNjEAEaLS92YXIvcnVuL3NlY3JldHMva3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudCIAMgBqFC9kZXYvdGVybWluYXRpb24tbG9ncgZBbHdheXOAAQCIAQCQAQCiAQRGaWxlEjsKDmRlYnVnZ2VyLTR4N212EgdidXN5Ym94GgVzbGVlcBoBMSoAQgBqAHIAgAEAiAEAkAEAogEERmlsZRoGQWx3YXlzIB4yDENsdXN0ZXJGaXJzdEIHZGVmYXVsdEoHZGVmYXVsdFIAWABgAGgAcgCCAQCKAQCaARFkZWZhdWx0LXNjaGVkdWxlcrIBNgocbm9kZS5rdWJlcm5ldGVzLmlvL25vdC1yZWFkeRIGRXhpc3RzGgAiCU5vRXhlY3V0ZSisArIBOAoebm9kZS5rdWJlcm5ldGVzLmlvL3VucmVhY2hhYmxlEgZFeGlzdHMaACIJTm9FeGVjdXRlKKwCwgEAyAEA2AEB8AEB+gEUUHJlZW1wdExvd2VyUHJpb3JpdHkaEAoAGgAiACoAMgBKAFoAcgAaACIA"

    static let debugPodCopyJSON = #"""
    {"kind":"Pod","apiVersion":"v1","metadata":{"name":"p2","namespace":"default","creationTimestamp":null},"spec":{"volumes":[{"name":"kube-api-access-tl4sc","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"containers":[{"name":"p","image":"redis","resources":{},"volumeMounts":[{"name":"kube-api-access-tl4sc","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always"},{"name":"debugger-4x7mv","image":"busybox","command":["sleep","1"],"resources":{},"terminationMessagePolicy":"File"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","shareProcessNamespace":true,"securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{}}
    """#

    func testKubectlDebugPodCopy() throws {
        let body = try XCTUnwrap(Data(base64Encoded: Self.debugPodCopy))
        let decoded = try KubernetesProtobuf.decode(Array(body))
        XCTAssertEqual(decoded, try JSONParser.parse(Self.debugPodCopyJSON).value, JSONWriter.encodeString(decoded))
    }

    /// `kubectl create deployment d --image=nginx --replicas=2 --port=80`: apps/v1 Deployment is
    /// served, so its body decodes to the Deployment kubectl built.
    func testKubectlCreateDeployment() throws {
        let body = try XCTUnwrap(Data(base64Encoded: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErABChsKAWQSABoAIgAqADIAOABCAFoICgNhcHASAWQSggEIAhIKCggKA2FwcBIBZBpqChoKABIAGgAiACoAMgA4AEIAWggKA2FwcBIBZBJMEi4KBW5naW54EgVuZ2lueCoAMgoKABAAGFAiACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA"))
        let decoded = try KubernetesProtobuf.decode(Array(body))
        XCTAssertEqual(decoded["kind"], "Deployment")
        XCTAssertEqual(decoded["apiVersion"], "apps/v1")
        XCTAssertEqual(decoded[path: "metadata", "name"], "d")
        XCTAssertEqual(decoded[path: "spec", "replicas"], 2)
        XCTAssertEqual(decoded[path: "spec", "selector", "matchLabels"], ["app": "d"])
        let container = decoded[path: "spec", "template", "spec", "containers"]?.arrayValue?.first
        XCTAssertEqual(container?["image"], "nginx")
        XCTAssertEqual(container?["ports"], [["containerPort": 80]])
    }
}
