import groovy.json.JsonSlurper

def reg = registry
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
def log = new File(basedir, 'build.log').text
assert log.count('BUILD SUCCESS') == 2
assert log.contains('cannot lock the images offline (-o)')
assert log.count('using 2 locked digests from images.lock.json') == 2
// locked digests need no tag lookup: no "offline: ... taken as what the tag last resolved to" warning
assert !log.contains('[WARNING] offline: ')

def index = new JsonSlurper().parse(new File(basedir, 'target/offline-images/index.json'))
def named = index.manifests.collectEntries { [(it.annotations['io.containerd.image.name']): it.digest] }
assert named == [
    ("${reg}/test/docker-image:1.0".toString()): fixtures['docker-image.digest'],
    ("${reg}/test/multi-oci:1.0".toString()): fixtures['multi-oci.linux/arm/v7.digest'],
]
return true
