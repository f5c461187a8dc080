import APIMachinery
@testable import Registry
import XCTest

/// Parses a JSON literal written in a test.
func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSON {
    do { return try JSONParser.parse(text).value } catch {
        XCTFail("bad JSON in test: \(error)", file: file, line: line)
        return .null
    }
}

/// The create path of the generic store for one strategy: defaults, preparation, validation.
func create(_ strategy: some ResourceStrategy, _ object: JSON) -> (object: JSON, errors: [String]) {
    var o = object
    strategy.applyDefaults(&o)
    // Pods' admission runs in the store (it reads the cluster); here without an account.
    if strategy is PodStrategy { PodAdmission.admit(&o) }
    strategy.prepareForCreate(&o)
    return (o, strategy.validate(o).map(\.description))
}

/// The update path: defaults, preparation against the stored object, update validation.
func update(_ strategy: some ResourceStrategy, _ object: JSON, old: JSON) -> (object: JSON, errors: [String]) {
    var o = object
    strategy.applyDefaults(&o)
    strategy.prepareForUpdate(&o, old: old)
    return (o, strategy.validateUpdate(o, old: old).map(\.description))
}

/// Applies `change` to a copy of `object`.
func modified(_ object: JSON, _ change: (inout JSON) -> Void) -> JSON {
    var o = object
    change(&o)
    return o
}

/// The seed manifests of /work/shared/seed, written as JSON.
enum Seed {
    static let redisSts = json("""
    {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"redis-sts"},
     "spec":{"serviceName":"redis-svc","replicas":2,"selector":{"matchLabels":{"app":"redis-sts"}},
      "template":{"metadata":{"labels":{"app":"redis-sts"}},
       "spec":{"containers":[{"image":"redis:5-alpine","name":"redis","ports":[{"containerPort":6379}]}]}}}}
    """)
    static let redisPvSts = json("""
    {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"redis-pv-sts"},
     "spec":{"serviceName":"redis-pv-svc",
      "volumeClaimTemplates":[{"metadata":{"name":"redis-100m-pvc"},"spec":{"storageClassName":"nfs-client",
        "accessModes":["ReadWriteMany"],"resources":{"requests":{"storage":"100Mi"}}}}],
      "replicas":2,"selector":{"matchLabels":{"app":"redis-pv-sts"}},
      "template":{"metadata":{"labels":{"app":"redis-pv-sts"}},
       "spec":{"containers":[{"image":"redis:5-alpine","name":"redis","ports":[{"containerPort":6379}],
         "volumeMounts":[{"name":"redis-100m-pvc","mountPath":"/data"}]}]}}}}
    """)
    static let redisSvc = json("""
    {"apiVersion":"v1","kind":"Service","metadata":{"name":"redis-svc"},
     "spec":{"selector":{"app":"redis-sts"},"ports":[{"port":6379,"protocol":"TCP","targetPort":6379}]}}
    """)
    static let redisHeadlessSvc = json("""
    {"apiVersion":"v1","kind":"Service","metadata":{"name":"redis-svc"},
     "spec":{"clusterIP":"None","selector":{"app":"redis-sts"},"ports":[{"port":6379,"protocol":"TCP","targetPort":6379}]}}
    """)
}
