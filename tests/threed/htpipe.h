/* Straight circular pipe meshed with the Gmsh C API, for the 3D engine's tests, validation and benchmarks.
 * Axis z from 0 to L_cm, radius R_cm, coordinates in cm; 2D physical groups "wall" (1), "inlet" (2, z = 0),
 * "outlet_1" (3, z = L), 3D group "fluid" (1), as meshing/mesh writes them. Rank 0 writes, all ranks wait. */
#pragma once
#include <gmshc.h>
#include <petscsys.h>
#include <math.h>

static inline PetscErrorCode HtPipe_Write(MPI_Comm comm, const char *path, double R_cm, double L_cm, double h_cm)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    int     ierr = 0, vol, wall = -1, in = -1, out = -1;
    int    *dt   = NULL;
    size_t  ndt  = 0;
    gmshInitialize(0, NULL, 0, &ierr);
    PetscCheck(!ierr, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh: initialise failed");
    gmshOptionSetNumber("General.Terminal", 0, &ierr);
    gmshModelAdd("pipe", &ierr);
    vol = gmshModelOccAddCylinder(0, 0, 0, 0, 0, L_cm, R_cm, -1, 2 * M_PI, &ierr);
    gmshModelOccSynchronize(&ierr);
    gmshModelGetEntities(&dt, &ndt, 2, &ierr);
    for (size_t i = 0; i < ndt / 2; i++) {
      double x, y, z;
      gmshModelOccGetCenterOfMass(2, dt[2 * i + 1], &x, &y, &z, &ierr);
      if (fabs(z) < 1e-9 * L_cm) in = dt[2 * i + 1];
      else if (fabs(z - L_cm) < 1e-9 * L_cm) out = dt[2 * i + 1];
      else wall = dt[2 * i + 1];
    }
    gmshFree(dt);
    PetscCheck(in > 0 && out > 0 && wall > 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh: pipe faces not identified");
    gmshModelAddPhysicalGroup(2, &wall, 1, 1, &ierr);
    gmshModelSetPhysicalName(2, 1, "wall", &ierr);
    gmshModelAddPhysicalGroup(2, &in, 1, 2, &ierr);
    gmshModelSetPhysicalName(2, 2, "inlet", &ierr);
    gmshModelAddPhysicalGroup(2, &out, 1, 3, &ierr);
    gmshModelSetPhysicalName(2, 3, "outlet_1", &ierr);
    gmshModelAddPhysicalGroup(3, &vol, 1, 1, &ierr);
    gmshModelSetPhysicalName(3, 1, "fluid", &ierr);
    gmshOptionSetNumber("Mesh.MeshSizeMax", h_cm, &ierr);
    gmshOptionSetNumber("Mesh.MeshSizeMin", 0.5 * h_cm, &ierr);
    gmshOptionSetNumber("Mesh.MshFileVersion", 4.1, &ierr);
    gmshModelMeshGenerate(3, &ierr);
    PetscCheck(!ierr, PETSC_COMM_SELF, PETSC_ERR_LIB, "gmsh: meshing the pipe failed");
    gmshWrite(path, &ierr);
    PetscCheck(!ierr, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "file %s: gmsh cannot write", path);
    gmshFinalize(&ierr);
  }
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(0);
}
