#include "NiftiPermissive.h"

#include <nifti1_io.h>

#include <filesystem>

#include "protolabel/core/Error.h"

namespace protolabel::core {

bool isNonOrthonormalNiftiError(const std::string& itkMessage) {
  return itkMessage.find("orthonormal") != std::string::npos;
}

std::string writeOrthonormalizedNiftiCopy(const std::string& source, const std::string& folder) {
  nifti_image* image = nifti_image_read(source.c_str(), 1);
  if (!image) throw Error(ErrorCode::CorruptFile, source + " cannot be read as NIfTI.", source);
  const mat44 affine = image->sform_code > 0 ? image->sto_xyz : image->qto_xyz;
  float qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;
  nifti_mat44_to_quatern(affine, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);
  image->qform_code = image->sform_code > 0 ? image->sform_code : NIFTI_XFORM_SCANNER_ANAT;
  image->sform_code = NIFTI_XFORM_UNKNOWN;
  image->quatern_b = qb;
  image->quatern_c = qc;
  image->quatern_d = qd;
  image->qoffset_x = qx;
  image->qoffset_y = qy;
  image->qoffset_z = qz;
  image->qfac = qfac;
  image->dx = image->pixdim[1] = dx;
  image->dy = image->pixdim[2] = dy;
  image->dz = image->pixdim[3] = dz;
  const std::string target = (std::filesystem::path(folder) / "orthonormalized.nii").string();
  image->nifti_type = NIFTI_FTYPE_NIFTI1_1;
  if (nifti_set_filenames(image, target.c_str(), 0, 1) != 0) {
    nifti_image_free(image);
    throw Error(ErrorCode::WriteFailed, "Cannot prepare a temporary copy of " + source, source);
  }
  nifti_image_write(image);
  nifti_image_free(image);
  return target;
}

}  // namespace protolabel::core
