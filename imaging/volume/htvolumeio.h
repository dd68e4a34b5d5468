/* Reading volumes stored as NIfTI-1 (.nii / .nii.gz) and MetaImage (.mha / .mhd) into hemotwin's
 * LPS grid. The VTK readers are hidden in volume_vtk.cxx.
 *
 * NIfTI: the sform is used when sform_code > 0, else the qform, else the pixel dimensions (a
 * warning is logged). NIfTI world is RAS; we negate x and y to get LPS. Whatever the voxel order
 * on disk (LPS, RAS, LAS, oblique ...), the returned grid keeps the file's index order (except
 * that the slice order is reversed when the voxel order is left-handed, NIfTI qfac = -1, as VTK
 * does) and stores the (possibly negative-axis) unit directions in HtGrid.dir, so that
 * HtGrid_IndexToWorld(index) gives the LPS position of that voxel exactly as the file says.
 * Use HtVolume_Reorient / HtLabels_Reorient to get the closest axis-aligned order
 * (i -> L, j -> P, k -> S, dir close to identity) when a stage needs it.
 * Spacing is always positive. Intensities are converted to float with scl_slope/scl_inter
 * applied (when slope != 0). Labels must be integer values 0..255.
 *
 * MetaImage: ElementSpacing, Offset (origin, LPS) and TransformMatrix (direction cosines, LPS,
 * rows = index axes). */
#pragma once
#include <htvolume.h>

#ifdef __cplusplus
extern "C" {
#endif

PetscErrorCode HtVolume_ReadNIfTI(const char *path, HtVolume *vol);
PetscErrorCode HtLabels_ReadNIfTI(const char *path, HtLabels *lab); /* no names set */
PetscErrorCode HtVolume_ReadMeta(const char *path, HtVolume *vol);
/* Pick the reader from the extension (.nii, .nii.gz, .mha, .mhd). */
PetscErrorCode HtVolume_Read(const char *path, HtVolume *vol);

/* Permute/flip the index axes so that index axis a points closest to +LPS axis a (dir with a
 * positive diagonal, identity for axis-aligned data). The world position of every voxel is
 * unchanged. In-place. */
PetscErrorCode HtVolume_Reorient(HtVolume *vol);
PetscErrorCode HtLabels_Reorient(HtLabels *lab);

/* Write a NIfTI-1 file (sform + qform from the grid, RAS as NIfTI requires); float32 / uint8. */
PetscErrorCode HtVolume_WriteNIfTI(const HtVolume *vol, const char *path);
PetscErrorCode HtLabels_WriteNIfTI(const HtLabels *lab, const char *path);

#ifdef __cplusplus
}
#endif
