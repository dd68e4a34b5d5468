/* Shared check for boundary-condition blocks: exactly one connection, inlet or outlet. */
#include "zerod_impl.h"

PetscErrorCode HtZD_BCFinalize(HtZeroD zd, HtZDBlock *b, PetscInt neq)
{
  PetscFunctionBeginUser;
  PetscCheck(b->nin + b->nout == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "file %s: boundary condition %s must be connected to exactly one block (is connected to %" PetscInt_FMT ")", zd->source, b->name, b->nin + b->nout);
  b->neq = neq;
  PetscFunctionReturn(0);
}
