import groovy.json.JsonSlurper

def out = new File(basedir, 'target/images')
assert new File(out, 'oci-layout').isFile()
assert !new File(out, 'manifest.json').exists() : 'the oci format writes no docker manifest.json'
assert !new File(out, 'repositories').exists()
def index = new JsonSlurper().parse(new File(out, 'index.json'))
assert index.schemaVersion == 2
assert index.mediaType == 'application/vnd.oci.image.index.v1+json'
assert index.manifests.size() == 2
assert index.manifests*.annotations*.'org.opencontainers.image.ref.name' == ['1.0', '1.0']
index.manifests.each { d ->
    def blob = new File(out, 'blobs/sha256/' + d.digest.substring(7))
    assert blob.length() == d.size
}
return true
