/** fedmesh node. */
package org.fedmesh.node;
