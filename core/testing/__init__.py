"""testing kit"""
