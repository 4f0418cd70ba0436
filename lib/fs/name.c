/*
 * Name validation (name.h).  Rejecting "." and ".." here, not in path
 * resolution, is what confines a Directory capability: the service has no
 * notion of a parent, and no name can ask for one.
 */
#include "fs/name.h"

bool fs_name_valid(const char *name, uint32_t len)
{
    if (len == 0 || len > FS_NAME_MAX)
        return false;
    if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
        return false;
    for (uint32_t i = 0; i < len; i++) {
        if (name[i] == '/' || name[i] == '\0')
            return false;
    }
    return true;
}
