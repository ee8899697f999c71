import groovy.json.JsonSlurper

def out = new File(basedir, 'target/images')
def reg = registry
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
def index = new JsonSlurper().parse(new File(out, 'index.json'))
def manifest = new JsonSlurper().parse(new File(out, 'manifest.json'))

// name:tag@digest: the digest is fetched, the tag names the result
def tagged = index.manifests.find { it.annotations['io.containerd.image.name'] == "${reg}/test/oci-image:1.0".toString() }
assert tagged.digest == fixtures['oci-image.digest']
assert manifest.any { it.RepoTags?.contains("${reg}/test/oci-image:1.0".toString()) }

// name@digest alone: no RepoTags (docker load refuses a name without a tag) but named in index.json
def byDigest = index.manifests.find { it.annotations['io.containerd.image.name'] == "${reg}/test/docker-image@${fixtures['docker-image.digest']}".toString() }
assert byDigest != null && byDigest.annotations['org.opencontainers.image.ref.name'] == null
assert manifest.any { it.RepoTags == null }
return true
