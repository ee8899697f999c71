import groovy.json.JsonSlurper

def reg = registry
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }

// the lock file: beside the POM, stable and readable (2-space indent, trailing newline), sorted by reference
def file = new File(basedir, 'images.lock.json')
assert file.isFile()
def text = file.text
assert text.startsWith('{\n  "version": 1,\n  "images": [\n    {\n      "reference": ')
assert text.endsWith('}\n')
def lock = new JsonSlurper().parseText(text)
assert lock.version == 1
assert lock.images*.reference == ["${reg}/test/multi-docker:1.0", "${reg}/test/multi-oci:1.0", "${reg}/test/oci-image:1.0"]*.toString()
def entry = { String name -> lock.images.find { it.reference == "${reg}/test/${name}".toString() } }
assert entry('multi-docker:1.0').index == fixtures['multi-docker.digest']
assert entry('multi-docker:1.0').manifests == ['linux/arm64': fixtures['multi-docker.linux/arm64/v8.digest']]
assert entry('multi-oci:1.0').index == fixtures['multi-oci.digest']
assert entry('multi-oci:1.0').manifests == ['linux/amd64': fixtures['multi-oci.linux/amd64.digest']]
assert !entry('oci-image:1.0').containsKey('index')
assert entry('oci-image:1.0').manifests == ['linux/amd64': fixtures['oci-image.digest']]

// the pull said it used the lock, and fetched exactly the locked manifests, named by their tags
def log = new File(basedir, 'build.log').text
assert log.contains("wrote ${file.canonicalFile}") || log.contains("wrote ${file}")
assert log.contains('using 3 locked digests from images.lock.json')
def index = new JsonSlurper().parse(new File(basedir, 'target/images/index.json'))
def named = index.manifests.collectEntries { [(it.annotations['io.containerd.image.name']): it.digest] }
assert named == [
    ("${reg}/test/oci-image:1.0".toString()): fixtures['oci-image.digest'],
    ("${reg}/test/multi-oci:1.0".toString()): fixtures['multi-oci.linux/amd64.digest'],
    ("${reg}/test/multi-docker:1.0".toString()): fixtures['multi-docker.linux/arm64/v8.digest'],
]
return true
