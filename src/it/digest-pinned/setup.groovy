// The fixture digests are known only once the IT registry has been filled; write the images file from them.
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
def reg = registry
new File(basedir, 'images.txt').text = """# frozen images, one a line
${reg}/test/oci-image:1.0@${fixtures['oci-image.digest']}

${reg}/test/docker-image@${fixtures['docker-image.digest']}   # digest only
"""
return true
