#!/usr/bin/env python3
"""The memory case of the reliability work: a 512x512x300 CT with five organs brushed on one slice each.

abd-ct-sabs image 8 (257x257x134) and its labels are upsampled by nearest neighbour to 512x512x300;
labels 1, 2, 3, 6 and 7 are kept on their middle slices as the examples. Writes ct512.nrrd and
ex512.nrrd into OUT_DIR. Standard library only. Measure with:

    /usr/bin/time -v build/release/app/protolabel segment --image OUT_DIR/ct512.nrrd \\
        --support-labels OUT_DIR/ex512.nrrd --output out.nii.gz --modality ct --threads 2
    /usr/bin/time -v xvfb-run -a build/release/app/protolabel OUT_DIR/ct512.nrrd OUT_DIR/ex512.nrrd \\
        --segment --screenshot out.png

usage: scripts/make-memory-case.py OUT_DIR [ABD_CT_SABS_DIR]
"""
import array
import gzip
import os
import struct
import sys

SIZE, SLICES = 512, 300
EXAMPLE_LABELS = (1, 2, 3, 6, 7)


def read_nifti(path, code, item_size):
    data = gzip.open(path).read()
    dims = struct.unpack('<8h', data[40:56])
    pixdim = struct.unpack('<8f', data[76:108])
    offset = int(struct.unpack('<f', data[108:112])[0])
    nx, ny, nz = dims[1:4]
    voxels = array.array(code)
    voxels.frombytes(data[offset:offset + nx * ny * nz * item_size])
    return voxels, (nx, ny, nz), pixdim[1:4]


def upsample(voxels, dims, code):
    nx, ny, nz = dims
    ix = [min(nx - 1, i * nx // SIZE) for i in range(SIZE)]
    iy = [min(ny - 1, i * ny // SIZE) for i in range(SIZE)]
    iz = [min(nz - 1, i * nz // SLICES) for i in range(SLICES)]
    rows, out = {}, array.array(code)
    for z in iz:
        for y in iy:
            if (z, y) not in rows:  # each source row is widened once
                start = (z * ny + y) * nx
                row = voxels[start:start + nx]
                rows[z, y] = array.array(code, (row[i] for i in ix))
            out.extend(rows[z, y])
    return out


def write_nrrd(path, voxels, kind, spacing):
    header = ("NRRD0004\ntype: %s\ndimension: 3\nspace: left-posterior-superior\nsizes: %d %d %d\n"
              "space directions: (%g,0,0) (0,%g,0) (0,0,%g)\nspace origin: (0,0,0)\n"
              "kinds: domain domain domain\nendian: little\nencoding: raw\n\n"
              % (kind, SIZE, SIZE, SLICES, spacing[0], -spacing[1], spacing[2]))
    with open(path, 'wb') as f:
        f.write(header.encode())
        f.write(voxels.tobytes())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    source = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data', 'abd-ct-sabs')
    image, dims, voxel_size = read_nifti(os.path.join(source, 'images', 'image_8.nii.gz'), 'h', 2)
    labels, _, _ = read_nifti(os.path.join(source, 'labels', 'label_8.nii.gz'), 'B', 1)
    spacing = tuple(n * size / out for n, size, out in zip(dims, voxel_size, (SIZE, SIZE, SLICES)))
    os.makedirs(out_dir, exist_ok=True)
    write_nrrd(os.path.join(out_dir, 'ct512.nrrd'), upsample(image, dims, 'h'), 'int16', spacing)
    big = upsample(labels, dims, 'B')
    plane = SIZE * SIZE
    examples = array.array('B', bytes(len(big)))
    for label in EXAMPLE_LABELS:
        slices = [z for z in range(SLICES) if label in big[z * plane:(z + 1) * plane]]
        middle = slices[len(slices) // 2]
        for i in range(middle * plane, (middle + 1) * plane):
            if big[i] == label:
                examples[i] = label
        print('label %d: slices %d-%d, example on %d' % (label, slices[0], slices[-1], middle))
    write_nrrd(os.path.join(out_dir, 'ex512.nrrd'), examples, 'uint8', spacing)


if __name__ == '__main__':
    main()
