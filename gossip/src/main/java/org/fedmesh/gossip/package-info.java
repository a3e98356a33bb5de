/** fedmesh gossip. */
package org.fedmesh.gossip;
