#include <htsegment.h>
#include "httest.h"
static PetscErrorCode Run(void) { PetscFunctionBeginUser; PetscFunctionReturn(0); }
HT_TEST_MAIN(Run)
